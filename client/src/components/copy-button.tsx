import { clsx } from "clsx";
import { Check, Copy } from "lucide-react";
import { useEffect, useState } from "react";

/** A small icon button that copies `text` and confirms with a check mark for a moment. */
export function CopyButton({
  text,
  label = "Copy",
  showLabel = false,
  className,
}: {
  /** The text, or a function computing it at click time (for large values). */
  text: string | (() => string);
  label?: string;
  showLabel?: boolean;
  className?: string;
}) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(typeof text === "function" ? text() : text);
      setCopied(true);
    } catch {
      // Clipboard access can be denied (insecure origin, permissions); the text stays selectable.
    }
  }

  return (
    <button
      type="button"
      onClick={(e) => {
        e.stopPropagation();
        void copy();
      }}
      aria-label={copied ? "Copied" : label}
      title={copied ? "Copied" : label}
      className={clsx(
        "inline-flex shrink-0 items-center gap-1 rounded p-1 text-xs text-zinc-400 transition-colors hover:bg-zinc-100 hover:text-zinc-700 dark:hover:bg-zinc-800 dark:hover:text-zinc-200",
        className,
      )}
    >
      {copied ? (
        <Check aria-hidden="true" className="size-3.5 text-emerald-600 dark:text-emerald-400" />
      ) : (
        <Copy aria-hidden="true" className="size-3.5" />
      )}
      {showLabel && <span>{copied ? "Copied" : label}</span>}
    </button>
  );
}
