/** A step failure that a retry cannot fix (a missing credential, an unknown tool, a 404): reported at once. */
export class FatalStepError extends Error {
  override name = "FatalStepError";
}

export class StepTimeoutError extends Error {
  override name = "StepTimeoutError";
}
