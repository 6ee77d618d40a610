import type { RouterOutputs } from "../../../lib/trpc.ts";

/** A run as `runs.get` returns it: the summary with its input, output, full error and metadata. */
export type RunData = RouterOutputs["runs"]["get"]["run"];
