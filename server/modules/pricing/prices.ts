/**
 * List prices of common models, in US dollars per million tokens, for estimating the cost of a span that reports
 * its tokens but not its cost. Prices were checked against the providers' public price pages on 2026-12-07; they are
 * indicative only: providers change prices, some bill long prompts at a higher tier (Gemini 2.5 Pro above 200k
 * tokens), and open-weight models (Llama) cost what the host charges (here, a typical hosted price). An
 * organisation's own prices (Settings → Models) win over this table.
 */
export interface ModelPrice {
  /** USD per 1M input (prompt) tokens. */
  input: number;
  /** USD per 1M output (completion) tokens. */
  output: number;
}

export const PRICES_CHECKED_ON = "2026-12-07";

export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  // Echos' own deterministic model, run in-process by workflows and replays: it costs nothing.
  "echos/sim": { input: 0, output: 0 },
  // OpenAI
  "gpt-5": { input: 1.25, output: 10 },
  "gpt-5-mini": { input: 0.25, output: 2 },
  "gpt-5-nano": { input: 0.05, output: 0.4 },
  "gpt-5-chat": { input: 1.25, output: 10 },
  "gpt-5-codex": { input: 1.25, output: 10 },
  "gpt-5-pro": { input: 15, output: 120 },
  "gpt-5.1": { input: 1.25, output: 10 },
  "gpt-5.1-chat": { input: 1.25, output: 10 },
  "gpt-5.1-codex": { input: 1.25, output: 10 },
  "gpt-5.1-codex-mini": { input: 0.25, output: 2 },
  "gpt-4.5": { input: 75, output: 150 },
  "gpt-4.1": { input: 2, output: 8 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4 },
  "gpt-4o": { input: 2.5, output: 10 },
  // The first gpt-4o snapshot kept its launch price.
  "gpt-4o-2024-05-13": { input: 5, output: 15 },
  "chatgpt-4o": { input: 5, output: 15 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-4-1106-preview": { input: 10, output: 30 },
  "gpt-4-0125-preview": { input: 10, output: 30 },
  "gpt-4": { input: 30, output: 60 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60 },
  "o1-mini": { input: 1.1, output: 4.4 },
  "o1-pro": { input: 150, output: 600 },
  o3: { input: 2, output: 8 },
  "o3-mini": { input: 1.1, output: 4.4 },
  "o3-pro": { input: 20, output: 80 },
  "o4-mini": { input: 1.1, output: 4.4 },
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 },
  // Anthropic
  "claude-opus-4-5": { input: 5, output: 25 },
  "claude-opus-4-1": { input: 15, output: 75 },
  "claude-opus-4": { input: 15, output: 75 },
  "claude-opus-4-0": { input: 15, output: 75 },
  "claude-sonnet-4-5": { input: 3, output: 15 },
  "claude-sonnet-4": { input: 3, output: 15 },
  "claude-sonnet-4-0": { input: 3, output: 15 },
  "claude-haiku-4-5": { input: 1, output: 5 },
  "claude-3-7-sonnet": { input: 3, output: 15 },
  "claude-3-5-sonnet": { input: 3, output: 15 },
  "claude-3-5-haiku": { input: 0.8, output: 4 },
  "claude-3-opus": { input: 15, output: 75 },
  "claude-3-sonnet": { input: 3, output: 15 },
  "claude-3-haiku": { input: 0.25, output: 1.25 },
  // Google
  "gemini-2.5-pro": { input: 1.25, output: 10 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash": { input: 0.1, output: 0.4 },
  "gemini-2.0-flash-lite": { input: 0.075, output: 0.3 },
  "gemini-1.5-pro": { input: 1.25, output: 5 },
  "gemini-1.5-flash": { input: 0.075, output: 0.3 },
  "gemini-1.5-flash-8b": { input: 0.0375, output: 0.15 },
  // Mistral
  "mistral-large": { input: 2, output: 6 },
  "mistral-medium": { input: 0.4, output: 2 },
  "mistral-small": { input: 0.1, output: 0.3 },
  "magistral-medium": { input: 2, output: 5 },
  "magistral-small": { input: 0.5, output: 1.5 },
  codestral: { input: 0.3, output: 0.9 },
  "devstral-medium": { input: 0.4, output: 2 },
  "devstral-small": { input: 0.1, output: 0.3 },
  "pixtral-large": { input: 2, output: 6 },
  "pixtral-12b": { input: 0.15, output: 0.15 },
  "ministral-8b": { input: 0.1, output: 0.1 },
  "ministral-3b": { input: 0.04, output: 0.04 },
  "open-mistral-nemo": { input: 0.15, output: 0.15 },
  "mistral-nemo": { input: 0.15, output: 0.15 },
  // Meta Llama, at a typical hosted price (Together, Groq, Fireworks, Bedrock charge about this).
  "llama-4-maverick": { input: 0.27, output: 0.85 },
  "llama-4-scout": { input: 0.18, output: 0.59 },
  "llama-3.3-70b": { input: 0.88, output: 0.88 },
  "llama-3.2-90b": { input: 1.2, output: 1.2 },
  "llama-3.2-11b": { input: 0.18, output: 0.18 },
  "llama-3.2-3b": { input: 0.06, output: 0.06 },
  "llama-3.2-1b": { input: 0.06, output: 0.06 },
  "llama-3.1-405b": { input: 3.5, output: 3.5 },
  "llama-3.1-70b": { input: 0.88, output: 0.88 },
  "llama-3.1-8b": { input: 0.18, output: 0.18 },
  "llama-3-70b": { input: 0.88, output: 0.88 },
  "llama-3-8b": { input: 0.2, output: 0.2 },
};

/**
 * The name without where it was served from: lower case, without a provider path (`openai/gpt-4o`, `models/…`,
 * `accounts/fireworks/models/…`), a Bedrock-style vendor prefix (`anthropic.`, `us.anthropic.`, `meta.`), and with
 * Claude's dotted versions (`claude-3.5-sonnet`, `claude-opus-4.1`, as OpenRouter spells them) written with dashes.
 */
export function normaliseModelName(model: string): string {
  const name = model
    .trim()
    .toLowerCase()
    .replace(/^.*\//, "")
    .replace(/^(?:[a-z]{2,4}\.)?(?:anthropic|meta|mistral|openai|amazon|cohere)\./, "");
  return name.startsWith("claude-") ? name.replace(/(\d)\.(\d)/g, "$1-$2") : name;
}

/**
 * What the name may carry after the model itself, removed one at a time from the end: Bedrock versions (`-v1:0`,
 * `-v2`), Vertex snapshots (`@20241022`), dates (`-2024-08-06`, `-20241022`, `-05-06`, `-09-2025`), numbered
 * snapshots (`-0125`, `-001`, `-2411`) and release channels (`-latest`, `-preview`, `-exp`). Only these: a name
 * that still differs from every entry afterwards (`gpt-4o-audio-preview` → `gpt-4o-audio`) is a different model
 * and stays unpriced rather than costed as its nearest relative.
 */
const SUFFIXES = [
  /-v\d+(?::\d+)?$/,
  /@[\w.-]+$/,
  /-\d{4}-\d{2}-\d{2}$/,
  /-\d{8}$/,
  /-\d{2}-\d{4}$/,
  /-\d{2}-\d{2}$/,
  /-\d{3,4}$/,
  /-(?:latest|preview|exp)$/,
];

/**
 * Llama is one family served under many spellings (`meta-llama/Llama-3.3-70B-Instruct-Turbo`,
 * `llama-3.3-70b-versatile`, `llama-v3p3-70b-instruct`, `meta.llama3-3-70b-instruct-v1:0`); what sets its price is
 * the version and size (or the Llama 4 variant), so the name is reduced to `llama-<version>-<size>`.
 */
function llamaName(name: string): string | null {
  const m = /^(?:meta-)?llama-?v?(\d+)(?:[.p-](\d+))?-(\d+b|maverick|scout)(?![a-z0-9])/.exec(name);
  if (!m) return null;
  return `llama-${m[1]}${m[2] ? `.${m[2]}` : ""}-${m[3]}`;
}

/** The names to look up, most exact first: the name as sent, as normalised, then with its suffixes removed. */
export function candidateNames(model: string): string[] {
  const names = [model.trim().toLowerCase()];
  let name = normaliseModelName(model);
  names.push(name);
  const llama = llamaName(name);
  if (llama) names.push(llama);
  for (let changed = true; changed;) {
    changed = false;
    for (const suffix of SUFFIXES) {
      const shorter = name.replace(suffix, "");
      if (shorter !== name && shorter.length > 0) {
        name = shorter;
        names.push(name);
        changed = true;
        break;
      }
    }
  }
  return [...new Set(names)];
}

/**
 * Names already looked up in the built-in table. The table never changes while the process runs, so this holds
 * nothing another instance could disagree with; a batch of spans usually names one or two models, and each is
 * matched once. Bounded: emptied when full, so names that are never seen again cannot grow it.
 */
const builtInMatches = new Map<string, ModelPrice | null>();
const MAX_REMEMBERED = 5_000;

/** The built-in price of a model name, or null when the table does not know it. */
export function findPrice(model: string | null | undefined): ModelPrice | null {
  if (!model) return null;
  const remembered = builtInMatches.get(model);
  if (remembered !== undefined) return remembered;
  let found: ModelPrice | null = null;
  for (const name of candidateNames(model)) {
    if (Object.hasOwn(MODEL_PRICES, name)) {
      found = MODEL_PRICES[name]!;
      break;
    }
  }
  if (builtInMatches.size >= MAX_REMEMBERED) builtInMatches.clear();
  builtInMatches.set(model, found);
  return found;
}

/** An organisation's own price for model names matching `pattern`: an exact name, or a glob where `*` is anything. */
export interface CustomPrice {
  pattern: string;
  inputUsdPerMillion: number;
  outputUsdPerMillion: number;
}

/** Characters other than `*`: the more a pattern spells out, the more specific it is. */
const literalLength = (pattern: string) => pattern.replaceAll("*", "").length;

const globRegex = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );

/**
 * An organisation's prices, ready to match: exact names looked up directly, globs tried most specific first (the
 * one spelling out the most characters; on a tie, the longer pattern, then the alphabetically first).
 */
export class PriceBook {
  private readonly exact = new Map<string, ModelPrice>();
  private readonly globs: { regex: RegExp; price: ModelPrice }[] = [];
  /** Names this book has matched: a book lives for one ingest call or one replay, so this stays small. */
  private readonly matches = new Map<string, ModelPrice | null>();

  constructor(custom: readonly CustomPrice[] = []) {
    const globs: (CustomPrice & { regex: RegExp })[] = [];
    for (const c of custom) {
      const pattern = c.pattern.trim().toLowerCase();
      if (pattern.includes("*")) globs.push({ ...c, pattern, regex: globRegex(pattern) });
      else this.exact.set(pattern, { input: c.inputUsdPerMillion, output: c.outputUsdPerMillion });
    }
    globs.sort(
      (a, b) =>
        literalLength(b.pattern) - literalLength(a.pattern) ||
        b.pattern.length - a.pattern.length ||
        (a.pattern < b.pattern ? -1 : 1),
    );
    for (const g of globs)
      this.globs.push({ regex: g.regex, price: { input: g.inputUsdPerMillion, output: g.outputUsdPerMillion } });
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.globs.length === 0;
  }

  /**
   * The price of a model: the organisation's exact name, then its most specific glob (each tried on the name as
   * sent and without its provider prefix), then the built-in table; null when none knows it.
   */
  find(model: string | null | undefined): ModelPrice | null {
    if (!model) return null;
    if (this.empty) return findPrice(model);
    const remembered = this.matches.get(model);
    if (remembered !== undefined) return remembered;
    const found = this.match(model);
    this.matches.set(model, found);
    return found;
  }

  private match(model: string): ModelPrice | null {
    const names = [...new Set([model.trim().toLowerCase(), normaliseModelName(model)])];
    for (const name of names) {
      const price = this.exact.get(name);
      if (price) return price;
    }
    for (const { regex, price } of this.globs) if (names.some((n) => regex.test(n))) return price;
    return findPrice(model);
  }

  /** The cost of a call; see `costOf`. */
  priceOf(
    model: string | null | undefined,
    inputTokens: number | null | undefined,
    outputTokens: number | null | undefined,
  ): number | null {
    return costOf(this.find(model), inputTokens, outputTokens);
  }
}

/**
 * The cost in USD of a call at a price, from its token counts; null when the price is unknown or no tokens are
 * known. Rounded to a millionth of a cent, so sums do not drift with floating-point noise.
 */
export function costOf(
  price: ModelPrice | null,
  inputTokens: number | null | undefined,
  outputTokens: number | null | undefined,
): number | null {
  if (!price || (inputTokens == null && outputTokens == null)) return null;
  const cost = ((inputTokens ?? 0) * price.input + (outputTokens ?? 0) * price.output) / 1_000_000;
  return Math.round(cost * 1e8) / 1e8;
}

/** The cost of a call at the built-in prices; null when the model is unknown or no tokens are known. */
export function priceOf(
  model: string | null | undefined,
  inputTokens: number | null | undefined,
  outputTokens: number | null | undefined,
): number | null {
  return costOf(findPrice(model), inputTokens, outputTokens);
}
