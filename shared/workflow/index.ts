export * from "./define.ts";
export * from "./types.ts";
export { runWorkflow, replayPolicy, errorText } from "./engine.ts";
export { FatalStepError, StepTimeoutError } from "./errors.ts";
export { canonicalJson, hashDefinition, workflowVersionId } from "./hash.ts";
export { DEFAULT_CREDENTIAL, DEFAULT_TIMEOUT_MS, redactHeaders, runCodeInProcess } from "./steps.ts";
export { SIM_MODEL, simulateChat, type ChatRequest, type ChatResult } from "./sim-model.ts";
export { chatCompletion, DEFAULT_BASE_URL, ProviderError } from "./openai-compatible.ts";
export { resolveTemplates, resolveText, templateRefs, TemplateError, type TemplateContext } from "./templates.ts";
