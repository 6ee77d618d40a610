import { clsx } from "clsx";
import { Database, Mail, Zap, type LucideIcon } from "lucide-react";
import { StatusBadge, toneFor, type Tone } from "../../components/status-badge.tsx";
import { SERVICE_LABELS, STATE_LABELS, type ServiceName, type ServiceState } from "../../lib/service-meta.ts";

const ICONS: Record<ServiceName, LucideIcon> = { database: Database, redis: Zap, email: Mail };

const ROLES: Record<ServiceName, string> = {
  database: "Durable data: runs, spans, workflows, members",
  redis: "Live events, rate limits and caches across instances",
  email: "Invitations and usage-limit warnings",
};

const ICON_TINT: Record<Tone, string> = {
  success: "bg-emerald-50 text-emerald-600 dark:bg-emerald-500/10 dark:text-emerald-400",
  warning: "bg-amber-50 text-amber-600 dark:bg-amber-400/10 dark:text-amber-300",
  danger: "bg-rose-50 text-rose-600 dark:bg-rose-500/10 dark:text-rose-400",
  neutral: "bg-zinc-100 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400",
};

export function ServiceCard({ name, state, detail }: { name: ServiceName; state: ServiceState; detail: string }) {
  const Icon = ICONS[name];
  const tone = toneFor(state);
  return (
    <article
      data-testid={`service-${name}`}
      data-state={state}
      className="flex flex-col rounded-lg border border-zinc-200 bg-white p-5 shadow-xs dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex items-start justify-between gap-3">
        <div className="flex items-center gap-3">
          <span className={clsx("flex size-9 items-center justify-center rounded-lg", ICON_TINT[tone])}>
            <Icon aria-hidden="true" className="size-4.5" />
          </span>
          <h3 className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">{SERVICE_LABELS[name]}</h3>
        </div>
        <StatusBadge tone={tone}>{STATE_LABELS[state]}</StatusBadge>
      </div>
      <p className="mt-4 text-sm text-zinc-700 dark:text-zinc-300">{detail}</p>
      <p className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{ROLES[name]}</p>
    </article>
  );
}
