import { describe, expect, it } from "vitest";
import { MODEL_PRICES, findPrice, normaliseModelName, priceOf } from "./prices.ts";

describe("model prices", () => {
  it("spells model names as the table does, whatever the provider prefix or case", () => {
    expect(normaliseModelName("  GPT-4o  ")).toBe("gpt-4o");
    expect(normaliseModelName("openai/gpt-4.1-mini")).toBe("gpt-4.1-mini");
    expect(normaliseModelName("anthropic.claude-3-5-haiku-20241022-v1:0")).toBe("claude-3-5-haiku-20241022-v1:0");
    expect(normaliseModelName("eu.anthropic.claude-3-7-sonnet")).toBe("claude-3-7-sonnet");
    expect(normaliseModelName("meta-llama/Meta-Llama-3.1-8B-Instruct")).toBe("llama-3.1-8b-instruct");
    expect(normaliseModelName("claude-3.5-sonnet")).toBe("claude-3-5-sonnet");
  });

  it("finds the most specific entry, and none for an unknown or missing model", () => {
    expect(findPrice("gpt-4.1-nano-2025-04-14")).toEqual(MODEL_PRICES["gpt-4.1-nano"]);
    expect(findPrice("gpt-4.1-2025-04-14")).toEqual(MODEL_PRICES["gpt-4.1"]);
    expect(findPrice("mistral-small-latest")).toEqual(MODEL_PRICES["mistral-small"]);
    expect(findPrice("gpt-3.5-turbo")).toBeNull();
    expect(findPrice("")).toBeNull();
    expect(findPrice(undefined)).toBeNull();
  });

  it("prices a call from the tokens it reports, counting a missing side as none", () => {
    // claude-3-5-sonnet: $3 in, $15 out per million tokens.
    expect(priceOf("claude-3-5-sonnet", 2_000, 500)).toBeCloseTo(0.0135, 10);
    expect(priceOf("claude-3-5-sonnet", 2_000, null)).toBeCloseTo(0.006, 10);
    expect(priceOf("claude-3-5-sonnet", undefined, 500)).toBeCloseTo(0.0075, 10);
    expect(priceOf("claude-3-5-sonnet", 0, 0)).toBe(0);
  });

  it("rounds to a millionth of a cent, so a cost carries no floating-point noise", () => {
    // Unrounded, 1 × 0.15 + 3 × 0.6 per million is 0.0000019499999999999995.
    expect(priceOf("gpt-4o-mini", 1, 3)).toBe(0.00000195);
    expect(priceOf("gpt-4o-mini", 7, 0)).toBe(0.00000105);
  });
});
