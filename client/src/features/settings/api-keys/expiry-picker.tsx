import { clsx } from "clsx";
import { TextInput } from "../../../components/form.tsx";

const PRESETS: readonly { days: number | null; label: string }[] = [
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: null, label: "Never" },
];

/** Days until the key stops working, or null for a key that never expires. */
export function ExpiryPicker({ value, onChange }: { value: number | null; onChange: (days: number | null) => void }) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-zinc-800 dark:text-zinc-200">Expires</legend>
      <div className="mt-1.5 flex flex-wrap items-center gap-3">
        <div className="inline-flex rounded-md shadow-xs ring-1 ring-zinc-300 ring-inset dark:ring-zinc-700">
          {PRESETS.map((preset, i) => (
            <button
              key={preset.label}
              type="button"
              aria-pressed={value === preset.days}
              onClick={() => onChange(preset.days)}
              className={clsx(
                "px-3 py-1.5 text-sm font-medium transition-colors",
                i === 0 && "rounded-l-md",
                i === PRESETS.length - 1 && "rounded-r-md",
                i > 0 && "border-l border-zinc-300 dark:border-zinc-700",
                value === preset.days
                  ? "bg-indigo-600 text-white"
                  : "text-zinc-700 hover:bg-zinc-50 dark:text-zinc-300 dark:hover:bg-zinc-800",
              )}
            >
              {preset.label}
            </button>
          ))}
        </div>
        <label className="flex items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
          or
          <TextInput
            type="number"
            min={1}
            max={3650}
            inputMode="numeric"
            placeholder="days"
            aria-label="Expires in days"
            value={value ?? ""}
            onChange={(e) => onChange(e.target.value === "" ? null : Math.max(1, Math.floor(Number(e.target.value))))}
            width="w-24"
            data-testid="key-expiry-input"
          />
          days
        </label>
      </div>
    </fieldset>
  );
}
