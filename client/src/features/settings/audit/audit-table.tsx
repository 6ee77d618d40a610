import { clsx } from "clsx";
import { DataTable, TD } from "../../../components/data-table.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import type { RouterOutputs } from "../../../lib/trpc.ts";
import { actionTone, auditDetail, humaniseAction } from "./audit-actions.ts";

type Entry = RouterOutputs["audit"]["list"]["items"][number];

export function AuditTable({ entries, emails }: { entries: readonly Entry[]; emails: ReadonlyMap<string, string> }) {
  return (
    <DataTable columns={["Time", "Actor", "Action", "Target", "IP"]} data-testid="audit-table">
      {entries.map((entry) => {
        const detail = auditDetail(entry.action, entry.metadata);
        const target = entry.target ? (emails.get(entry.target) ?? entry.target) : null;
        return (
          <tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
            <td className={clsx(TD, "tabular-nums")}>{formatDateTime(entry.createdAt)}</td>
            <td className={TD}>{entry.actorEmail ?? <span className="text-zinc-400">system</span>}</td>
            <td className={TD}>
              <span
                className={clsx(
                  "font-medium",
                  actionTone(entry.action) === "danger"
                    ? "text-rose-700 dark:text-rose-400"
                    : "text-zinc-900 dark:text-zinc-100",
                )}
                title={entry.action}
              >
                {humaniseAction(entry.action)}
              </span>
            </td>
            <td className={clsx(TD, "max-w-80 truncate")} title={target ?? undefined}>
              {target ?? <span className="text-zinc-400">—</span>}
              {detail && <span className="ml-2 text-xs text-zinc-500 dark:text-zinc-400">{detail}</span>}
            </td>
            <td className={clsx(TD, "font-mono text-[13px] text-zinc-500 dark:text-zinc-400")}>{entry.ip ?? "—"}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}
