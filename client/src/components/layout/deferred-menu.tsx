import { cloneElement, Suspense, useState, type HTMLAttributes, type ReactElement, type ReactNode } from "react";
import { useIdle } from "../../lib/use-idle.ts";

export interface MenuState {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

interface DeferredMenuProps {
  /** The button that opens the menu; a plain element, so it can stand in until the menu code has arrived. */
  trigger: ReactElement<HTMLAttributes<HTMLElement>>;
  /** The lazily loaded menu, given the same trigger and its (controlled) open state. */
  children: (state: MenuState) => ReactNode;
}

/**
 * Radix DropdownMenu and its positioning engine are ~20 KB gzip: like the top bar's tooltip, they load once the
 * page is idle or on the first hover or focus. A press that comes sooner opens the menu as soon as it arrives:
 * the open state lives here, so it does not matter which of the two buttons received the press.
 */
export function DeferredMenu({ trigger, children }: DeferredMenuProps) {
  const idle = useIdle();
  const [warm, setWarm] = useState(false);
  const [open, setOpen] = useState(false);
  const request = () => {
    setWarm(true);
    setOpen(true);
  };
  const placeholder = cloneElement(trigger, {
    "aria-haspopup": "menu",
    onPointerEnter: () => setWarm(true),
    onFocus: () => setWarm(true),
    onPointerDown: request,
    onClick: request,
  });
  if (!idle && !warm) return placeholder;
  return <Suspense fallback={placeholder}>{children({ open, onOpenChange: setOpen })}</Suspense>;
}
