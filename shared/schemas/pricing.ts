import { z } from "zod";

/** The most a custom price may say, in USD per million tokens: far above any model's list price, far below overflow. */
export const MAX_USD_PER_MILLION = 100_000;
export const MAX_PATTERN_LENGTH = 200;

const ZUsdPerMillion = (side: string) =>
  z
    // Zod refuses NaN and ±Infinity as numbers, with this message.
    .number({ error: `${side} price must be a number (USD per million tokens)` })
    .min(0, `${side} price cannot be negative`)
    .max(MAX_USD_PER_MILLION, `${side} price must be at most ${MAX_USD_PER_MILLION} USD per million tokens`);

/** An organisation's own price for a model name, or a glob of names where `*` stands for anything. */
export const ZModelPrice = z.object({
  id: z.string(),
  pattern: z.string(),
  inputUsdPerMillion: z.number(),
  outputUsdPerMillion: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ModelPrice = z.infer<typeof ZModelPrice>;

export const ZSaveModelPriceInput = z.object({
  /** The price to change; a new one when absent. */
  id: z.uuid().optional(),
  pattern: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, "Enter a model name, or a pattern such as gpt-4o-*")
    .max(MAX_PATTERN_LENGTH, `A model pattern is at most ${MAX_PATTERN_LENGTH} characters`)
    .regex(/^[^\p{Cc}]+$/u, "A model pattern has no control characters (tabs, line breaks)"),
  inputUsdPerMillion: ZUsdPerMillion("Input"),
  outputUsdPerMillion: ZUsdPerMillion("Output"),
});
export type SaveModelPriceInput = z.infer<typeof ZSaveModelPriceInput>;

/** What applying a price to past spans changed. */
export const ZApplyModelPriceResult = z.object({ spans: z.number(), runs: z.number() });
export type ApplyModelPriceResult = z.infer<typeof ZApplyModelPriceResult>;
