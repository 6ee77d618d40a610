import { ChevronDown, Sparkles } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { hasRole, type Role } from "@shared/roles.ts";
import { buttonClass } from "../../components/button.tsx";
import { playgroundHref, Refused } from "./replay-entry.tsx";

export interface LlmCall {
  id: string;
  name: string;
  model: string | null;
}

interface PlaygroundMenuProps {
  runId: string;
  /** The run's LLM spans, in the order they ran. */
  calls: readonly LlmCall[];
  role: Role;
  variant?: "primary" | "secondary";
}

/**
 * The run header's way into the playground: one LLM call opens it directly; several open a menu naming each call by
 * its span name (and model).
 */
export function PlaygroundMenu({ runId, calls, role, variant = "primary" }: PlaygroundMenuProps) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const menuId = useId();
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === "Escape" : !root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
    };
  }, [open]);

  const [first] = calls;
  if (!first) return null;
  const label = (
    <>
      <Sparkles aria-hidden="true" className="size-3.5" />
      Open in playground
    </>
  );
  if (!hasRole(role, "member"))
    return (
      <Refused>
        <button type="button" disabled className={buttonClass("secondary", "md")} data-testid="run-playground-action">
          {label}
        </button>
      </Refused>
    );
  if (calls.length === 1)
    return (
      <Link
        to={playgroundHref(runId, first.id)}
        className={buttonClass(variant, "md")}
        data-testid="run-playground-action"
        title={`Re-run ${first.name}${first.model ? ` (${first.model})` : ""}`}
      >
        {label}
      </Link>
    );
  return (
    <div ref={root} className="relative">
      <button
        type="button"
        className={buttonClass(variant, "md")}
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((o) => !o)}
        data-testid="run-playground-action"
      >
        {label}
        <ChevronDown aria-hidden="true" className="size-3.5" />
      </button>
      {open && (
        <ul
          id={menuId}
          aria-label="LLM calls of this run"
          className="absolute right-0 z-30 mt-1.5 max-h-80 w-72 max-w-[calc(100vw-2rem)] overflow-y-auto rounded-lg border border-zinc-200 bg-white py-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900"
          data-testid="playground-menu"
        >
          {calls.map((call) => (
            <li key={call.id}>
              <Link
                to={playgroundHref(runId, call.id)}
                onClick={() => setOpen(false)}
                className="flex flex-col px-3 py-2 text-sm hover:bg-zinc-50 focus-visible:bg-zinc-50 focus-visible:outline-none dark:hover:bg-zinc-800 dark:focus-visible:bg-zinc-800"
                data-testid="playground-menu-item"
              >
                <span className="truncate font-medium text-zinc-900 dark:text-zinc-100">{call.name}</span>
                {call.model && <span className="truncate text-xs text-zinc-500 dark:text-zinc-400">{call.model}</span>}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
