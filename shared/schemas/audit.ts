import { z } from "zod";

export const ZAuditLogEntry = z.object({
  id: z.number(),
  action: z.string(),
  actorEmail: z.string().nullable(),
  target: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  createdAt: z.string(),
});
export type AuditLogEntry = z.infer<typeof ZAuditLogEntry>;

/** Newest first; `nextCursor` is the id to continue below. */
export const ZAuditPage = z.object({ items: z.array(ZAuditLogEntry), nextCursor: z.number().nullable() });
export type AuditPage = z.infer<typeof ZAuditPage>;
