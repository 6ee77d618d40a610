export {
  defineWorkflow,
  hasSideEffects,
  WorkflowDefinitionError,
  type WorkflowDefinition,
  type WorkflowDefinitionInput,
  type WorkflowStep,
  type LlmStep,
  type HttpStep,
  type CodeStep,
  type ToolStep,
} from "../shared/workflow/define.ts";
export { hashDefinition, workflowVersionId } from "../shared/workflow/hash.ts";
export { replayPolicy, runWorkflow } from "../shared/workflow/engine.ts";
export { SIM_MODEL } from "../shared/workflow/sim-model.ts";
export type {
  CredentialLookup,
  EngineOptions,
  RecordedStep,
  StepPolicy,
  StepResult,
  ToolContext,
  ToolFn,
  Tools,
  WorkflowResult,
} from "../shared/workflow/types.ts";
export { EchosRuntime, type EchosRuntimeOptions, type RuntimeRunOptions, type RuntimeRunResult } from "./runtime.ts";
export { RuntimeConnection, type RuntimeConnectOptions, type RuntimeConnectionStatus } from "./connection.ts";
export { SDK_VERSION } from "./version.ts";
