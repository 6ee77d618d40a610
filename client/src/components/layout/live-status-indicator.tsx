import { lazy, Suspense, useState } from "react";
import { Link } from "react-router";
import type { LiveStatus } from "../../features/system/live-status-context.ts";
import { useLiveStatus } from "../../features/system/use-live-status.ts";
import { SERVICE_LABELS, SERVICE_NAMES, STATE_LABELS } from "../../lib/service-meta.ts";
import { useIdle } from "../../lib/use-idle.ts";
import { StatusDot, toneFor, type Tone } from "../status-badge.tsx";

// Radix Tooltip and its positioning engine are ~14 KB gzip: fetched once the page is idle or on first hover.
const Tooltip = lazy(() => import("../tooltip.tsx"));

function summarise({ connection, report }: LiveStatus): { tone: Tone; text: string } {
  if (connection.state === "offline") return { tone: "danger", text: "Offline" };
  if (connection.state === "reconnecting") return { tone: "warning", text: "Reconnecting…" };
  if (connection.state === "connecting" || !report) return { tone: "neutral", text: "Connecting…" };
  switch (report.status) {
    case "ok":
      return { tone: "success", text: "All systems operational" };
    case "degraded":
      return { tone: "warning", text: "Degraded" };
    case "error":
      return { tone: "danger", text: "Down" };
  }
}

function TooltipBody({ status }: { status: LiveStatus }) {
  const { connection, report } = status;
  if (connection.state === "offline") return <p>This browser is offline; the status resumes when it is back.</p>;
  if (connection.state === "reconnecting")
    return <p>Lost the live connection to the server{connection.error ? `: ${connection.error}` : "."}</p>;
  if (!report) return <p>Connecting to the live status stream…</p>;
  return (
    <div className="min-w-52 space-y-2">
      <ul className="space-y-1">
        {SERVICE_NAMES.map((name) => (
          <li key={name} className="flex items-center justify-between gap-6">
            <span className="flex items-center gap-2">
              <StatusDot tone={toneFor(report.services[name])} />
              {SERVICE_LABELS[name]}
            </span>
            <span className="text-zinc-400">{STATE_LABELS[report.services[name]]}</span>
          </li>
        ))}
      </ul>
      <p className="border-t border-white/10 pt-2 text-zinc-400">
        {connection.state === "live" ? "Live" : "Reconnecting"} · click for details
      </p>
    </div>
  );
}

/** The top bar's one-glance health: a dot and a word, with per-service detail in a tooltip. */
export function LiveStatusIndicator() {
  const status = useLiveStatus();
  const idle = useIdle();
  const [hovered, setHovered] = useState(false);
  const { tone, text } = summarise(status);

  const trigger = (
    <Link
      to="/system"
      data-testid="topbar-status"
      data-tone={tone}
      onPointerEnter={() => setHovered(true)}
      onFocus={() => setHovered(true)}
      className="inline-flex items-center gap-2 rounded-full border border-zinc-200 bg-white px-3 py-1 text-xs font-medium text-zinc-700 shadow-xs transition-colors hover:bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800"
    >
      <StatusDot tone={tone} pulse={status.connection.state === "live" && tone === "success"} />
      <span aria-live="polite" className="sr-only whitespace-nowrap sm:not-sr-only">
        {text}
      </span>
    </Link>
  );

  if (!idle && !hovered) return trigger;
  return (
    <Suspense fallback={trigger}>
      <Tooltip content={<TooltipBody status={status} />} side="bottom" align="end">
        {trigger}
      </Tooltip>
    </Suspense>
  );
}
