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
export type UpdateLimitsInput = z.infer<typeof ZUpdateLimitsInput>;

const ZMeter = z.object({ used: z.number(), limit: z.number() });

/** This month's usage against the limits (0: unlimited), and what the owners set over the defaults. */
export const ZUsageReport = z.object({
  period: z.string(),
  resetsAt: z.string(),
  spans: ZMeter,
  replays: ZMeter,
  runs: z.number(),
  retentionDays: z.number(),
  overrides: z.object({
    spansLimit: z.number().nullable(),
    replaysLimit: z.number().nullable(),
    retentionDays: z.number().nullable(),
  }),
  defaults: z.object({ spansLimit: z.number(), replaysLimit: z.number(), retentionDays: z.number() }),
  /** Every day of the month, with the month's running totals (null for the days still to come). */
  daily: z.array(
    z.object({
      day: z.string(),
      spans: z.number(),
      replays: z.number(),
      runs: z.number(),
      spansTotal: z.number().nullable(),
      replaysTotal: z.number().nullable(),
    }),
  ),
});
export type UsageReport = z.infer<typeof ZUsageReport>;
