import { DataTable, TD } from "../../components/data-table.tsx";
import { StatusBadge } from "../../components/status-badge.tsx";
import { formatAgo, formatDateTime } from "../../lib/format.ts";
import type { RouterOutputs } from "../../lib/trpc.ts";

type Instance = RouterOutputs["system"]["instances"][number];

interface InstancesTableProps {
  instances: readonly Instance[];
  currentId: string | undefined;
  now: number;
}

export function InstancesTable({ instances, currentId, now }: InstancesTableProps) {
  if (instances.length === 0) {
    return (
      <p className="rounded-lg border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400">
        No instance has reported a heartbeat recently.
      </p>
    );
  }
  return (
    <DataTable
      columns={["Instance", "Host", "Version", "Started", "Last heartbeat", "State"]}
      data-testid="instances-table"
    >
      {instances.map((instance) => (
        <tr key={instance.id}>
          <td className={TD}>
            <span className="font-mono text-[13px] text-zinc-900 dark:text-zinc-100">{instance.id}</span>
            {instance.id === currentId && (
              <span className="ml-2 rounded bg-indigo-50 px-1.5 py-0.5 text-[11px] font-medium text-indigo-700 dark:bg-indigo-500/10 dark:text-indigo-300">
                this instance
              </span>
            )}
          </td>
          <td className={TD}>{instance.hostname}</td>
          <td className={`${TD} font-mono text-[13px]`}>{instance.version}</td>
          <td className={TD} title={formatDateTime(instance.startedAt)}>
            {formatAgo(Date.parse(instance.startedAt), now)}
          </td>
          <td className={`${TD} tabular-nums`} title={formatDateTime(instance.lastSeenAt)}>
            {formatAgo(Date.parse(instance.lastSeenAt), now)}
          </td>
          <td className={TD}>
            {instance.stopped ? (
              <StatusBadge tone="neutral">Stopped</StatusBadge>
            ) : (
              <StatusBadge tone="success">Running</StatusBadge>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
