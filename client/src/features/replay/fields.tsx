import { clsx } from "clsx";
import { useState, type ComponentPropsWithoutRef } from "react";

export const TEXTAREA =
  "block w-full rounded-md border-0 bg-white px-3 py-2 font-mono text-[12.5px] leading-5 text-zinc-900 shadow-xs ring-1 ring-zinc-300 ring-inset placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-600 focus:outline-none disabled:opacity-60 dark:bg-zinc-950/40 dark:text-zinc-100 dark:ring-zinc-700 dark:focus:ring-indigo-500";

/** A textarea that grows with its content up to `maxRows`, so a long prompt is readable without a second scroll. */
export function TextArea({
  className,
  minRows = 3,
  maxRows = 18,
  value,
  ...rest
}: ComponentPropsWithoutRef<"textarea"> & { minRows?: number; maxRows?: number; value: string }) {
  const rows = Math.min(maxRows, Math.max(minRows, value.split("\n").length + 1));
  return <textarea {...rest} value={value} rows={rows} spellCheck={false} className={clsx(TEXTAREA, className)} />;
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : "not valid JSON" };
  }
}

export const toJsonText = (value: unknown) => (value === undefined ? "" : JSON.stringify(value, null, 2));

interface JsonFieldProps {
  id?: string;
  value: unknown;
  /** Called with each valid parse, or with the parse error. */
  onChange: (result: { ok: true; value: unknown } | { ok: false; error: string }) => void;
  testId?: string;
  minRows?: number;
  "aria-describedby"?: string;
}

/** JSON typed by hand: the text is the user's own while it does not parse, and the error says where. */
export function JsonField({ id, value, onChange, testId, minRows = 4, ...rest }: JsonFieldProps) {
  const [text, setText] = useState(() => toJsonText(value));
  const [error, setError] = useState<string | null>(null);
  return (
    <div>
      <TextArea
        id={id}
        aria-describedby={rest["aria-describedby"]}
        aria-invalid={error ? true : undefined}
        data-testid={testId}
        minRows={minRows}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const parsed = parseJson(e.target.value);
          setError(parsed.ok ? null : parsed.error);
          onChange(parsed);
        }}
        className={error ? "ring-rose-400 focus:ring-rose-500 dark:ring-rose-700" : undefined}
      />
      {error && (
        <p role="alert" className="mt-1 text-xs text-rose-600 dark:text-rose-400">
          Not valid JSON: {error}
        </p>
      )}
    </div>
  );
}

/** Two or three choices as a segmented control. */
export function Segmented<T extends string>({
  value,
  options,
  onChange,
  label,
  disabled,
  testId,
}: {
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (value: T) => void;
  label: string;
  disabled?: boolean;
  testId?: string;
}) {
  return (
    <div
      role="radiogroup"
      aria-label={label}
      data-testid={testId}
      data-value={value}
      className="inline-flex shrink-0 rounded-md bg-zinc-100 p-0.5 ring-1 ring-zinc-200 ring-inset dark:bg-zinc-800/70 dark:ring-zinc-700"
    >
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          role="radio"
          aria-checked={value === o.value}
          disabled={disabled}
          onClick={() => onChange(o.value)}
          className={clsx(
            "rounded px-2 py-0.5 text-xs font-medium transition-colors disabled:cursor-not-allowed",
            value === o.value
              ? "bg-white text-zinc-900 shadow-xs dark:bg-zinc-600 dark:text-white"
              : "text-zinc-600 hover:text-zinc-800 dark:text-zinc-400 dark:hover:text-zinc-200",
          )}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
