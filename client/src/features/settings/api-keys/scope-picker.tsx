import { clsx } from "clsx";

export type KeyScope = "ingest" | "full";

const OPTIONS: readonly { value: KeyScope; title: string; text: string }[] = [
  {
    value: "ingest",
    title: "Ingest only",
    text: "Sends runs and spans. Cannot read anything back: safe to ship with an agent.",
  },
  {
    value: "full",
    title: "Full access",
    text: "Also reads runs and data through the API. For scripts and CI you trust.",
  },
];

export function ScopePicker({
  value,
  onChange,
  allowFull,
}: {
  value: KeyScope;
  onChange: (scope: KeyScope) => void;
  allowFull: boolean;
}) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Scope</legend>
      <div className="mt-1.5 grid gap-3 sm:grid-cols-2">
        {OPTIONS.map((option) => {
          const disabled = option.value === "full" && !allowFull;
          return (
            <label
              key={option.value}
              className={clsx(
                "flex gap-3 rounded-lg border p-3 text-sm transition-colors",
                value === option.value
                  ? "border-indigo-600 bg-indigo-50/50 ring-1 ring-indigo-600 dark:border-indigo-400 dark:bg-indigo-500/10 dark:ring-indigo-400"
                  : "border-zinc-200 dark:border-zinc-700",
                disabled
                  ? "cursor-not-allowed opacity-60"
                  : "cursor-pointer hover:border-zinc-300 dark:hover:border-zinc-600",
              )}
            >
              <input
                type="radio"
                name="scope"
                value={option.value}
                checked={value === option.value}
                disabled={disabled}
                onChange={() => onChange(option.value)}
                className="mt-0.5 accent-indigo-600"
                data-testid={`key-scope-${option.value}`}
              />
              <span>
                <span className="block font-medium text-zinc-900 dark:text-zinc-100">{option.title}</span>
                <span className="mt-0.5 block text-zinc-500 dark:text-zinc-400">
                  {disabled ? "Needs an admin or owner." : option.text}
                </span>
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
