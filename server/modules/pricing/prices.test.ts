import { describe, expect, it } from "vitest";
import { MODEL_PRICES, PriceBook, findPrice, normaliseModelName, priceOf } from "./prices.ts";

const price = (name: string) => MODEL_PRICES[name]!;

describe("model prices", () => {
  it("spells model names as the table does, whatever the provider prefix or case", () => {
    expect(normaliseModelName("  GPT-4o  ")).toBe("gpt-4o");
    expect(normaliseModelName("openai/gpt-4.1-mini")).toBe("gpt-4.1-mini");
    expect(normaliseModelName("anthropic.claude-3-5-haiku-20241022-v1:0")).toBe("claude-3-5-haiku-20241022-v1:0");
    expect(normaliseModelName("eu.anthropic.claude-3-7-sonnet")).toBe("claude-3-7-sonnet");
    expect(normaliseModelName("models/gemini-1.5-pro-002")).toBe("gemini-1.5-pro-002");
    expect(normaliseModelName("claude-3.5-sonnet")).toBe("claude-3-5-sonnet");
    expect(normaliseModelName("anthropic/claude-opus-4.1")).toBe("claude-opus-4-1");
  });

  it.each([
    // OpenAI: exact names, dated snapshots, channels and provider paths.
    ["gpt-4o", "gpt-4o"],
    ["gpt-4o-2024-08-06", "gpt-4o"],
    ["openai/gpt-4o-mini", "gpt-4o-mini"],
    ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
    ["gpt-4.1-nano-2025-04-14", "gpt-4.1-nano"],
    ["gpt-4.1-2025-04-14", "gpt-4.1"],
    ["gpt-5-mini-2025-08-07", "gpt-5-mini"],
    ["gpt-5-chat-latest", "gpt-5-chat"],
    ["chatgpt-4o-latest", "chatgpt-4o"],
    ["o1-preview", "o1"],
    ["o3-mini-2025-01-31", "o3-mini"],
    ["o4-mini-2025-04-16", "o4-mini"],
    ["gpt-3.5-turbo-0125", "gpt-3.5-turbo"],
    ["gpt-4-0125-preview", "gpt-4-0125-preview"],
    // Anthropic: API, Bedrock (with regional profiles), Vertex and OpenRouter spellings.
    ["claude-3-5-sonnet-20241022", "claude-3-5-sonnet"],
    ["claude-3-5-sonnet-latest", "claude-3-5-sonnet"],
    ["anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"],
    ["us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"],
    ["claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet"],
    ["claude-sonnet-4-5@20250929", "claude-sonnet-4-5"],
    ["anthropic/claude-3.7-sonnet", "claude-3-7-sonnet"],
    ["claude-opus-4-1-20250805", "claude-opus-4-1"],
    ["claude-haiku-4-5-20251001", "claude-haiku-4-5"],
    ["claude-3-5-haiku-20241022", "claude-3-5-haiku"],
    // Google.
    ["models/gemini-1.5-pro-002", "gemini-1.5-pro"],
    ["gemini-2.0-flash-001", "gemini-2.0-flash"],
    ["gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite"],
    ["gemini-2.5-pro-preview-05-06", "gemini-2.5-pro"],
    ["gemini-2.5-flash-lite-preview-09-2025", "gemini-2.5-flash-lite"],
    ["google/gemini-2.5-flash", "gemini-2.5-flash"],
    // Mistral, including Bedrock's spelling.
    ["mistral-large-latest", "mistral-large"],
    ["mistral-large-2411", "mistral-large"],
    ["mistral.mistral-large-2407-v1:0", "mistral-large"],
    ["mistral-small-2503", "mistral-small"],
    ["codestral-2501", "codestral"],
    // Llama, as Together, Groq, Fireworks and Bedrock name it.
    ["meta-llama/Llama-3.3-70B-Instruct-Turbo", "llama-3.3-70b"],
    ["meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "llama-3.1-8b"],
    ["llama-3.3-70b-versatile", "llama-3.3-70b"],
    ["llama-3.1-8b-instant", "llama-3.1-8b"],
    ["llama3-70b-8192", "llama-3-70b"],
    ["accounts/fireworks/models/llama-v3p1-405b-instruct", "llama-3.1-405b"],
    ["meta.llama3-1-70b-instruct-v1:0", "llama-3.1-70b"],
    ["us.meta.llama4-maverick-17b-instruct-v1:0", "llama-4-maverick"],
    ["meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama-4-scout"],
  ])("prices %s as %s", (model, entry) => {
    expect(findPrice(model)).toEqual(price(entry));
  });

  it("prices Echos' own simulated model at nothing, so its calls are not counted as unpriced", () => {
    expect(priceOf("echos/sim", 100, 20)).toBe(0);
    expect(findPrice("other/sim")).toBeNull();
  });

  it("prefers an exact entry to the name without its suffix", () => {
    // The first gpt-4o snapshot has its own price, unlike later ones.
    expect(findPrice("gpt-4o-2024-05-13")).toEqual({ input: 5, output: 15 });
    expect(findPrice("gpt-4o-2024-11-20")).toEqual(price("gpt-4o"));
  });

  it("leaves a different model unpriced rather than costing it as a relative whose name it starts with", () => {
    for (const model of [
      "gpt-4o-audio-preview",
      "gpt-4o-realtime-preview-2024-12-17",
      "gpt-4o-mini-tts",
      "gpt-4o-transcribe",
      "o4-mini-deep-research",
      "gpt-4.1-mini-finetuned",
      "claude-3-5-sonnet-extended",
      "meta-llama/Llama-Guard-3-8B",
      "gpt-3.5-turbo-instruct",
      "my-own-model",
    ])
      expect(findPrice(model), model).toBeNull();
    expect(findPrice("")).toBeNull();
    expect(findPrice(undefined)).toBeNull();
    expect(findPrice("constructor")).toBeNull();
  });

  it("prices a call from the tokens it reports, counting a missing side as none", () => {
    // claude-3-5-sonnet: $3 in, $15 out per million tokens.
    expect(priceOf("claude-3-5-sonnet", 2_000, 500)).toBeCloseTo(0.0135, 10);
    expect(priceOf("claude-3-5-sonnet", 2_000, null)).toBeCloseTo(0.006, 10);
    expect(priceOf("claude-3-5-sonnet", undefined, 500)).toBeCloseTo(0.0075, 10);
    expect(priceOf("claude-3-5-sonnet", 0, 0)).toBe(0);
    expect(priceOf("claude-3-5-sonnet", null, null)).toBeNull();
    expect(priceOf("unknown-model", 10, 10)).toBeNull();
  });

  it("rounds to a millionth of a cent, so a cost carries no floating-point noise", () => {
    // Unrounded, 1 × 0.15 + 3 × 0.6 per million is 0.0000019499999999999995.
    expect(priceOf("gpt-4o-mini", 1, 3)).toBe(0.00000195);
    expect(priceOf("gpt-4o-mini", 7, 0)).toBe(0.00000105);
  });
});

describe("an organisation's prices", () => {
  const custom = (pattern: string, input: number, output = input) => ({
    pattern,
    inputUsdPerMillion: input,
    outputUsdPerMillion: output,
  });

  it("win over the built-in table, by exact name or glob, case aside", () => {
    const book = new PriceBook([custom("GPT-4o", 1, 2), custom("ft:gpt-4o-mini:*", 3, 4)]);
    expect(book.find("gpt-4o")).toEqual({ input: 1, output: 2 });
    expect(book.find("ft:gpt-4o-mini:acme::abc123")).toEqual({ input: 3, output: 4 });
    // Not matched by either: the built-in price.
    expect(book.find("gpt-4o-2024-08-06")).toEqual(price("gpt-4o"));
    expect(book.priceOf("gpt-4o", 1_000_000, 1_000_000)).toBe(3);
  });

  it("take the most specific pattern: an exact name, then the glob spelling out the most", () => {
    const book = new PriceBook([
      custom("*", 9),
      custom("claude-*", 5),
      custom("claude-sonnet-*", 4),
      custom("claude-sonnet-4-5", 1),
    ]);
    expect(book.find("claude-sonnet-4-5")?.input).toBe(1);
    expect(book.find("claude-sonnet-4-20250514")?.input).toBe(4);
    expect(book.find("claude-3-haiku")?.input).toBe(5);
    expect(book.find("mystery")?.input).toBe(9);
  });

  it("match a name without its provider prefix too, and treat glob characters other than * literally", () => {
    const book = new PriceBook([custom("claude-sonnet-4*", 2), custom("a.c", 7)]);
    expect(book.find("us.anthropic.claude-sonnet-4-20250514-v1:0")?.input).toBe(2);
    expect(book.find("abc")).toBeNull();
    expect(book.find("a.c")?.input).toBe(7);
  });

  it("price a model the table does not know, which otherwise stays unpriced", () => {
    expect(priceOf("acme-large", 1_000, 1_000)).toBeNull();
    expect(new PriceBook([custom("acme-*", 1, 3)]).priceOf("acme-large", 1_000, 1_000)).toBe(0.004);
  });
});
