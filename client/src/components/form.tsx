import { clsx } from "clsx";
import { useId, type ComponentPropsWithoutRef, type ReactNode } from "react";

const CONTROL =
  "block h-9 rounded-md border-0 bg-white px-3 py-1.5 text-sm text-zinc-900 shadow-xs ring-1 ring-zinc-300 ring-inset placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-600 focus:outline-none disabled:cursor-not-allowed disabled:opacity-60 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700 dark:placeholder:text-zinc-500 dark:focus:ring-indigo-500";

interface FieldProps {
  label: string;
  hint?: ReactNode;
  className?: string;
  /** Renders the control with the ids that tie it to its label and hint. */
  children: (ids: { id: string; "aria-describedby"?: string }) => ReactNode;
}

export function Field({ label, hint, className, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800 dark:text-zinc-200">
        {label}
      </label>
      <div className="mt-1.5">{children({ id, "aria-describedby": hint ? hintId : undefined })}</div>
      {hint && (
        <p id={hintId} className="mt-1.5 text-xs text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      )}
    </div>
  );
}

/** `width` is a Tailwind width class; kept apart so it never competes with the default `w-full`. */
type ControlProps<T extends "input" | "select"> = ComponentPropsWithoutRef<T> & { width?: string };

export function TextInput({ className, width = "w-full", ...rest }: ControlProps<"input">) {
  return <input {...rest} className={clsx(CONTROL, width, className)} />;
}

export function Select({ className, width = "w-full", ...rest }: ControlProps<"select">) {
  return <select {...rest} className={clsx(CONTROL, width, "pr-8", className)} />;
}
