import * as RadixTooltip from "@radix-ui/react-tooltip";
import type { ReactElement, ReactNode } from "react";

interface TooltipProps {
  content: ReactNode;
  /** A single element that accepts a ref and event handlers (a link, a button). */
  children: ReactElement;
  side?: "top" | "right" | "bottom" | "left";
  align?: "start" | "center" | "end";
}

/**
 * Carries its own provider so it works wherever it is mounted, including when loaded lazily: Radix and its
 * positioning engine are kept out of the initial bundle.
 */
export default function Tooltip({ content, children, side = "top", align = "center" }: TooltipProps) {
  return (
    <RadixTooltip.Provider delayDuration={200}>
      <RadixTooltip.Root>
        <RadixTooltip.Trigger asChild>{children}</RadixTooltip.Trigger>
        <RadixTooltip.Portal>
          <RadixTooltip.Content
            side={side}
            align={align}
            sideOffset={8}
            className="z-50 max-w-xs rounded-lg bg-zinc-900 px-3 py-2.5 text-xs text-zinc-100 shadow-lg ring-1 ring-black/5 dark:bg-zinc-800 dark:ring-white/10"
          >
            {content}
            <RadixTooltip.Arrow className="fill-zinc-900 dark:fill-zinc-800" />
          </RadixTooltip.Content>
        </RadixTooltip.Portal>
      </RadixTooltip.Root>
    </RadixTooltip.Provider>
  );
}
