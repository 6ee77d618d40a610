import { Bot, Box, Braces, Globe, Sparkles, Wrench, type LucideIcon } from "lucide-react";
import type { SpanKind } from "@shared/schemas/runs.ts";

export interface KindStyle {
  label: string;
  icon: LucideIcon;
  /** The icon's colour in the tree. */
  text: string;
  /** The waterfall bar. */
  bar: string;
  /** A small pill naming the kind. */
  pill: string;
}

export const KIND_STYLES: Record<SpanKind, KindStyle> = {
  llm: {
    label: "LLM",
    icon: Sparkles,
    text: "text-violet-600 dark:text-violet-400",
    bar: "bg-violet-500 dark:bg-violet-400",
    pill: "bg-violet-50 text-violet-700 ring-violet-600/20 dark:bg-violet-500/10 dark:text-violet-300 dark:ring-violet-400/20",
  },
  tool: {
    label: "Tool",
    icon: Wrench,
    text: "text-amber-600 dark:text-amber-400",
    bar: "bg-amber-500 dark:bg-amber-400",
    pill: "bg-amber-50 text-amber-800 ring-amber-600/25 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/20",
  },
  code: {
    label: "Code",
    icon: Braces,
    text: "text-teal-600 dark:text-teal-400",
    bar: "bg-teal-500 dark:bg-teal-400",
    pill: "bg-teal-50 text-teal-700 ring-teal-600/20 dark:bg-teal-500/10 dark:text-teal-300 dark:ring-teal-400/20",
  },
  http: {
    label: "HTTP",
    icon: Globe,
    text: "text-blue-600 dark:text-blue-400",
    bar: "bg-blue-500 dark:bg-blue-400",
    pill: "bg-blue-50 text-blue-700 ring-blue-600/20 dark:bg-blue-500/10 dark:text-blue-300 dark:ring-blue-400/20",
  },
  agent: {
    label: "Agent",
    icon: Bot,
    text: "text-indigo-600 dark:text-indigo-400",
    bar: "bg-indigo-500 dark:bg-indigo-400",
    pill: "bg-indigo-50 text-indigo-700 ring-indigo-600/20 dark:bg-indigo-500/10 dark:text-indigo-300 dark:ring-indigo-400/20",
  },
  custom: {
    label: "Span",
    icon: Box,
    text: "text-zinc-500 dark:text-zinc-400",
    bar: "bg-zinc-400 dark:bg-zinc-500",
    pill: "bg-zinc-100 text-zinc-600 ring-zinc-500/20 dark:bg-zinc-400/10 dark:text-zinc-300 dark:ring-zinc-400/20",
  },
};

export const ERROR_BAR = "bg-rose-500 dark:bg-rose-500";
