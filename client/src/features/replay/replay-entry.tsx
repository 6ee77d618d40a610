import { GitCompareArrows, Sparkles } from "lucide-react";
import type { ReactElement } from "react";
import { Link } from "react-router";
import { hasRole, type Role } from "@shared/roles.ts";
import type { SpanSummary } from "@shared/schemas/runs.ts";
import { buttonClass } from "../../components/button.tsx";
import Tooltip from "../../components/tooltip.tsx";

export const VIEWER_REFUSAL = "Viewers cannot replay runs";

export const playgroundHref = (runId: string, spanId: string) =>
  `/runs/${encodeURIComponent(runId)}/playground?span=${encodeURIComponent(spanId)}`;

/** Where a span's replay starts: Test fix for a step of a workflow run, the playground for any other LLM call. */
export function replayTarget(
  run: { id: string; workflowVersionId: string | null },
  span: Pick<SpanSummary, "id" | "name" | "kind" | "parentId"> | null,
): { kind: "fix" | "playground"; href: string } | null {
  const base = `/runs/${encodeURIComponent(run.id)}`;
  if (run.workflowVersionId)
    return { kind: "fix", href: span ? `${base}/replay?step=${encodeURIComponent(span.name)}` : `${base}/replay` };
  if (span?.kind === "llm") return { kind: "playground", href: playgroundHref(run.id, span.id) };
  return null;
}

/** Viewers see the action, disabled, with the reason; a disabled button fires no hover, so the tooltip sits on a wrapper. */
export function Refused({ children }: { children: ReactElement }) {
  return (
    <Tooltip content={VIEWER_REFUSAL}>
      <span
        tabIndex={0}
        className="inline-flex cursor-not-allowed"
        data-testid="replay-refused"
        aria-label={VIEWER_REFUSAL}
      >
        {children}
      </span>
    </Tooltip>
  );
}

interface ReplayButtonProps {
  run: { id: string; workflowVersionId: string | null };
  span: Pick<SpanSummary, "id" | "name" | "kind" | "parentId"> | null;
  role: Role;
  size?: "sm" | "md";
}

/**
 * The Test fix (or playground) button of a run or of its selected span; an LLM step of a workflow run offers both
 * (Test fix replays the workflow from it, the playground re-runs that one call).
 */
export function ReplayButton({ run, span, role, size = "sm" }: ReplayButtonProps) {
  const target = replayTarget(run, span);
  if (!target) return null;
  if (target.kind === "fix" && span?.kind === "llm")
    return (
      <>
        <ReplayLink target={target} role={role} size={size} />
        <ReplayLink target={{ kind: "playground", href: playgroundHref(run.id, span.id) }} role={role} size={size} />
      </>
    );
  return <ReplayLink target={target} role={role} size={size} />;
}

function ReplayLink({
  target,
  role,
  size,
}: {
  target: NonNullable<ReturnType<typeof replayTarget>>;
  role: Role;
  size: "sm" | "md";
}) {
  const Icon = target.kind === "fix" ? GitCompareArrows : Sparkles;
  const text = target.kind === "fix" ? "Test fix" : "Open in playground";
  const testId = target.kind === "fix" ? "test-fix" : "open-playground";
  if (!hasRole(role, "member"))
    return (
      <Refused>
        <button type="button" disabled className={buttonClass("secondary", size)} data-testid={testId}>
          <Icon aria-hidden="true" className="size-3.5" />
          {text}
        </button>
      </Refused>
    );
  return (
    <Link
      to={target.href}
      className={buttonClass(target.kind === "fix" ? "primary" : "secondary", size)}
      data-testid={testId}
    >
      <Icon aria-hidden="true" className="size-3.5" />
      {text}
    </Link>
  );
}
