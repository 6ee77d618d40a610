import { setTimeout as delay } from "node:timers/promises";
import { type LlmStep, type WorkflowStep, ZChatHistory } from "./define.ts";
import { FatalStepError } from "./errors.ts";
import { DEFAULT_HTTP_MAX_BYTES, httpRequest, isPermanentStatus } from "./http-step.ts";
import { chatCompletion, ProviderError } from "./openai-compatible.ts";
import { type ChatRequest, type ChatTurn, SIM_MODEL, simulateChat } from "./sim-model.ts";
import { resolveTemplates, resolveText, TemplateError } from "./templates.ts";
import type { EngineOptions, StepContext } from "./types.ts";

export const DEFAULT_TIMEOUT_MS: Record<WorkflowStep["type"], number> = {
  llm: 60_000,
  http: 10_000,
  code: 30_000,
  tool: 120_000,
};
export const DEFAULT_CREDENTIAL = "OPENAI_API_KEY";

export interface StepOutcome {
  output: unknown;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
}

/** A step with its templates filled in: what it will do (config, input) and how to do it. */
export interface PreparedStep {
  config: Record<string, unknown>;
  input: unknown;
  execute: (signal: AbortSignal) => Promise<StepOutcome>;
}

const SECRET_HEADER = /authorization|cookie|api[-_]?key|token|secret|password/i;

/** Header values that look like secrets never leave the process in a span's config. */
export function redactHeaders(headers: Record<string, string> | undefined) {
  if (!headers) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? "[redacted]" : v]));
}

// The constructor of async functions, so user code may `await`.
const AsyncFunction = (Object.getPrototypeOf(async () => undefined) as { constructor: unknown }).constructor as new (
  ...args: string[]
) => (input: unknown) => Promise<unknown>;

/** Client-side default: the user's own code, in the user's own process. The server injects a sandbox instead. */
export const runCodeInProcess = (code: string, input: Record<string, unknown>) =>
  new AsyncFunction("input", code)(input);

export function prepareStep(step: WorkflowStep, context: StepContext, options: EngineOptions): PreparedStep {
  switch (step.type) {
    case "llm": {
      const config = {
        model: step.model,
        system: step.system === undefined ? undefined : resolveText(step.system, context),
        history: resolveHistory(step.history, context),
        prompt: resolveText(step.prompt, context),
        temperature: step.temperature,
        maxTokens: step.maxTokens,
        ...(step.model === SIM_MODEL
          ? { latencyMs: step.latencyMs }
          : {
              baseUrl: step.baseUrl ?? options.baseUrlFor?.(step.credential ?? DEFAULT_CREDENTIAL),
              credential: step.credential ?? DEFAULT_CREDENTIAL,
            }),
      };
      const onToken = options.onToken && ((text: string) => options.onToken?.(step, text));
      const messages = [
        ...(config.system === undefined ? [] : [{ role: "system", content: config.system }]),
        ...(config.history ?? []),
        { role: "user", content: config.prompt },
      ];
      return {
        config,
        input: { messages },
        execute: async (signal) => {
          const result =
            step.model === SIM_MODEL
              ? await simulate(config, signal, onToken)
              : await callProvider(config, signal, options, onToken);
          const { text, ...usage } = result;
          return { output: text, ...usage };
        },
      };
    }
    case "http": {
      const url = resolveText(step.url, context);
      const headers =
        step.headers && Object.fromEntries(Object.entries(step.headers).map(([k, v]) => [k, resolveText(v, context)]));
      const body = resolveTemplates(step.body, context);
      const maxBytes = step.maxBytes ?? options.httpMaxBytes ?? DEFAULT_HTTP_MAX_BYTES;
      return {
        config: { method: step.method, url, headers: redactHeaders(headers), body, maxBytes },
        input: { method: step.method, url, body },
        execute: async (signal) => ({
          output: await httpRequest({
            method: step.method,
            url,
            headers,
            body,
            maxBytes,
            signal,
            fetch: options.fetch,
            beforeHttp: options.beforeHttp,
          }),
        }),
      };
    }
    case "code": {
      // Each earlier output is also reachable by step id: `input.classify` besides `input.steps.classify.output`.
      const outputs = Object.fromEntries(Object.entries(context.steps).map(([id, s]) => [id, s.output]));
      const codeInput = { ...outputs, input: context.input, steps: context.steps };
      const run = options.runCode ?? runCodeInProcess;
      return {
        config: { code: step.code },
        input: { input: context.input, steps: context.steps },
        execute: async () => ({ output: await run(step.code, safeClone(codeInput)) }),
      };
    }
    case "tool": {
      const args = resolveTemplates(step.args, context);
      return {
        config: { tool: step.tool, args, sideEffects: step.sideEffects ?? false },
        input: args,
        execute: async (signal) => {
          const tool = options.tools && Object.hasOwn(options.tools, step.tool) ? options.tools[step.tool] : undefined;
          if (!tool) throw new FatalStepError(`Unknown tool "${step.tool}": register it in the runtime's tools`);
          return { output: await tool(args, { stepId: step.id, signal }) };
        },
      };
    }
  }
}

function resolveHistory(history: LlmStep["history"], context: StepContext): ChatTurn[] | undefined {
  if (history === undefined) return undefined;
  const parsed = ZChatHistory.safeParse(resolveTemplates(history, context));
  if (!parsed.success)
    throw new TemplateError('history: expected a list of {role: "user" | "assistant", content} turns');
  return parsed.data;
}

/**
 * echos/sim, taking its `latencyMs` (cut short when the step times out or the run is cancelled); with a token
 * listener the words arrive spread over that time, as a streaming provider's would.
 */
async function simulate(
  config: ChatRequest & { latencyMs?: number },
  signal: AbortSignal,
  onToken: ((text: string) => void) | undefined,
) {
  const result = simulateChat(config);
  if (!onToken) {
    if (config.latencyMs) await delay(config.latencyMs, undefined, { signal });
    return result;
  }
  const words = result.text.split(/(?<=\s)/);
  const pause = (config.latencyMs ?? 0) / Math.max(1, words.length);
  for (const word of words) {
    if (pause > 0) await delay(pause, undefined, { signal });
    onToken(word);
  }
  return result;
}

async function callProvider(
  config: ChatRequest & { baseUrl?: string; credential?: string },
  signal: AbortSignal,
  options: EngineOptions,
  onToken: ((text: string) => void) | undefined,
) {
  const name = config.credential ?? DEFAULT_CREDENTIAL;
  const apiKey = options.credentials?.(name);
  if (!apiKey)
    throw new FatalStepError(
      `Missing credential ${name}: set it in Settings → Credentials or send X-User-Credential-${name}`,
    );
  try {
    return await chatCompletion({ ...config, apiKey, signal, fetch: options.fetch, onToken });
  } catch (error) {
    if (error instanceof ProviderError && error.status !== undefined && isPermanentStatus(error.status))
      throw new FatalStepError(error.message);
    throw error;
  }
}

/** Code must not be able to change what later steps see; values that cannot be cloned are passed as they are. */
function safeClone<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}
