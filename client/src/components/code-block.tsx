import { Check, Copy } from "lucide-react";
import { useState } from "react";

/** A small terminal-style snippet with a copy button. */
export function CodeBlock({
  code,
  label,
  copyLabel = "Copy to clipboard",
  testId,
}: {
  code: string;
  label?: string;
  /** The copy button's accessible name: say what it copies when a page has several. */
  copyLabel?: string;
  testId?: string;
}) {
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard access can be denied (insecure origin, permissions); the text stays selectable.
    }
  }

  return (
    <div
      data-testid={testId}
      className="overflow-hidden rounded-lg border border-zinc-200 bg-zinc-950 text-left dark:border-zinc-800"
    >
      <div className="flex items-center justify-between border-b border-white/10 px-3 py-1.5">
        <span className="text-xs font-medium text-zinc-400">{label ?? "Terminal"}</span>
        <button
          type="button"
          onClick={() => void copy()}
          className="inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs text-zinc-400 transition hover:bg-white/10 hover:text-zinc-100"
          aria-label={copied ? "Copied" : copyLabel}
        >
          {copied ? (
            <Check aria-hidden="true" className="size-3.5" />
          ) : (
            <Copy aria-hidden="true" className="size-3.5" />
          )}
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      {/* Focusable, so a keyboard can scroll a long line into view. */}
      <pre
        tabIndex={0}
        className="overflow-x-auto px-4 py-3 font-mono text-[13px] leading-6 text-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-400"
      >
        <code>{code}</code>
      </pre>
    </div>
  );
}
