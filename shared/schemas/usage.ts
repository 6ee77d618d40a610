import { z } from "zod";

const limit = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(0, `${what} must be 0 (unlimited) or more`)
    .max(2_000_000_000, `${what} is too large`)
    .nullable();

/** null: the installation's default applies; 0: unlimited (retention: kept forever). */
export const ZUpdateLimitsInput = z.object({
  spansLimit: limit("The span limit"),
  replaysLimit: limit("The replay limit"),
  retentionDays: z
    .number({ error: "Retention must be a number of days" })
    .int("Retention must be a whole number of days")
    .min(0, "Retention must be 0 (keep forever) or more days")
    .max(3650, "Retention is at most 3650 days")
    .nullable(),
});
export type TUpdateLimitsInput = z.infer<typeof ZUpdateLimitsInput>;
