import { z } from "zod";

/** Whether an organisation holds sample data: how many sample runs (replays of them not counted). */
export const ZSampleDataStatus = z.object({ runs: z.number().int() });
export type SampleDataStatus = z.infer<typeof ZSampleDataStatus>;

/** What removing the sample data deleted. */
export const ZRemovedSampleData = z.object({
  runs: z.number().int(),
  spans: z.number().int(),
  conversations: z.number().int(),
});
export type RemovedSampleData = z.infer<typeof ZRemovedSampleData>;
