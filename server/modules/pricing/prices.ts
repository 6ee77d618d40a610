/**
 * List prices of common models, in US dollars per million tokens, for estimating the cost of a span that reports
 * its tokens but not its cost. Indicative only: providers change prices, and open-weight models (Llama) cost what
 * the host charges (here, a typical hosted price). Keys are model-name prefixes; the longest matching prefix wins,
 * so `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`, not `gpt-4o`.
 */
export interface ModelPrice {
  /** USD per 1M input (prompt) tokens. */
  input: number;
  /** USD per 1M output (completion) tokens. */
  output: number;
}

export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "o3-mini": { input: 1.1, output: 4.4 },
  "o4-mini": { input: 1.1, output: 4.4 },
  // Anthropic
  "claude-3-5-sonnet": { input: 3, output: 15 },
  "claude-3-7-sonnet": { input: 3, output: 15 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
  // Mistral
  "mistral-large": { input: 2, output: 6 },
  "mistral-small": { input: 0.1, output: 0.3 },
  // Meta Llama (hosted)
  "llama-3.1-70b": { input: 0.88, output: 0.88 },
  "llama-3.1-8b": { input: 0.18, output: 0.18 },
};

/** Longest first, so the first prefix that matches is the most specific one. */
const PREFIXES = Object.keys(MODEL_PRICES).sort((a, b) => b.length - a.length);

/**
 * The name as the table spells it: lower case, without a provider path (`openai/gpt-4o`, `meta-llama/…`), a
 * Bedrock-style vendor prefix (`anthropic.claude-…`, `us.anthropic.claude-…`) or a `meta-` prefix
 * (`Meta-Llama-3.1-70B-Instruct`), and with `claude-3.5` written `claude-3-5`.
 */
export function normaliseModelName(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^.*\//, "")
    .replace(/^(?:[a-z]{2,4}\.)?(?:anthropic|meta|mistral|openai)\./, "")
    .replace(/^meta-/, "")
    .replace(/^claude-(\d)\.(\d)/, "claude-$1-$2");
}

/** The price entry for a model name, or null when the table does not know it. */
export function findPrice(model: string | null | undefined): ModelPrice | null {
  if (!model) return null;
  const name = normaliseModelName(model);
  const prefix = PREFIXES.find((p) => name.startsWith(p));
  return prefix ? MODEL_PRICES[prefix]! : null;
}

/**
 * The cost in USD of a call, from its token counts; null when the model is unknown or no tokens are known.
 * Rounded to a millionth of a cent, so sums do not drift with floating-point noise.
 */
export function priceOf(
  model: string | null | undefined,
  inputTokens: number | null | undefined,
  outputTokens: number | null | undefined,
): number | null {
  const price = findPrice(model);
  if (!price || (inputTokens == null && outputTokens == null)) return null;
  const cost = ((inputTokens ?? 0) * price.input + (outputTokens ?? 0) * price.output) / 1_000_000;
  return Math.round(cost * 1e8) / 1e8;
}
