import { clsx } from "clsx";
import { GitCompareArrows } from "lucide-react";
import type { StepType } from "@shared/schemas/replay.ts";
import { useParams } from "react-router";
import { hasRole } from "@shared/roles.ts";
import { RunStatusDot } from "../../components/run-status-badge.tsx";
import { verdictText } from "../../components/verdict-badge.tsx";
import { useCurrentOrg } from "../session/use-current-org.ts";
import { ForkTree } from "./fork-tree.tsx";
import { variantTitle } from "./variant-name.tsx";
import { ReplayVariant } from "./replay-variant.tsx";
import type { Variants } from "./use-variants.ts";
import type { ReplayInfo } from "./replay-api.ts";

interface VariantsPanelProps {
  orgId: string;
  variants: Variants;
  steps: readonly { id: string; type: StepType }[];
  onUseRecorded: (stepId: string, replay: ReplayInfo) => void;
  emptyText: string;
}

/** Every variant started here, one tab each; all keep streaming, the selected one shows. */
export function VariantsPanel({ orgId, variants, steps, onUseRecorded, emptyText }: VariantsPanelProps) {
  const { ids, activeId, nodes, statuses, onStatus, show } = variants;
  const { org } = useCurrentOrg();
  const { runId = "" } = useParams();
  const canRename = hasRole(org.role, "member");
  if (ids.length === 0)
    return (
      <div className="flex min-h-64 flex-col items-center justify-center rounded-lg border border-dashed border-zinc-300 px-6 py-10 text-center dark:border-zinc-700">
        <GitCompareArrows aria-hidden="true" className="size-6 text-zinc-400" />
        <p className="mt-3 text-sm font-medium text-zinc-700 dark:text-zinc-300">No replay yet</p>
        <p className="mt-1 max-w-sm text-sm text-zinc-500 dark:text-zinc-400">{emptyText}</p>
      </div>
    );
  return (
    <>
      <ForkTree orgId={orgId} runId={runId} highlight={activeId} className="mb-4" />
      {ids.length > 1 && (
        <div role="tablist" aria-label="Variants" className="mb-3 flex flex-wrap gap-1.5">
          {ids.map((id) => {
            const status = statuses[id] ?? "running";
            const node = nodes.get(id);
            const selected = id === activeId;
            return (
              <button
                key={id}
                type="button"
                role="tab"
                aria-selected={selected}
                onClick={() => show(id)}
                data-testid="variant-tab"
                data-replay-id={id}
                data-status={status}
                className={clsx(
                  "inline-flex items-center gap-1.5 rounded-md px-2.5 py-1 text-xs font-medium ring-1 ring-inset",
                  selected
                    ? "bg-indigo-50 text-indigo-700 ring-indigo-300 dark:bg-indigo-500/15 dark:text-indigo-200 dark:ring-indigo-500/40"
                    : "bg-white text-zinc-700 ring-zinc-200 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-700 dark:hover:bg-zinc-800",
                )}
              >
                <RunStatusDot status={status} />
                {variantTitle(node?.number)}
                {node?.verdict && <span className="font-normal">· {verdictText(node.verdict, null)}</span>}
              </button>
            );
          })}
        </div>
      )}
      {ids.map((id) => (
        <ReplayVariant
          key={id}
          orgId={orgId}
          replayId={id}
          steps={steps}
          active={id === activeId}
          onUseRecorded={onUseRecorded}
          onStatus={onStatus}
          names={nodes.get(id)}
          canRename={canRename}
        />
      ))}
    </>
  );
}
