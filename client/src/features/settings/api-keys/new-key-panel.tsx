import { Check, CircleAlert, Copy } from "lucide-react";
import { useRef, useState } from "react";
import { Button } from "../../../components/button.tsx";
import { CodeBlock } from "../../../components/code-block.tsx";
import { serverOrigin } from "../../../lib/origin.ts";
import type { CreatedKey } from "./create-key-form.tsx";

/** The new key, once: copy it now or create another. "Done" drops it from memory. */
export function NewKeyPanel({ created, onDone }: { created: CreatedKey; onDone: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const keyRef = useRef<HTMLElement>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("yes");
      setTimeout(() => setCopied(null), 2000);
    } catch {
      // Clipboard access denied: select the key so Ctrl+C / Cmd+C works.
      if (keyRef.current) window.getSelection()?.selectAllChildren(keyRef.current);
      setCopied("failed");
    }
  }

  const env = [`export ECHOS_API_KEY="${created.key}"`, `export ECHOS_API_URL="${serverOrigin()}"`].join("\n");
  const ts = [
    'import { EchosClient } from "echos/sdk";',
    "",
    "const echos = new EchosClient(); // reads ECHOS_API_KEY and ECHOS_API_URL",
  ].join("\n");

  return (
    <section
      data-testid="new-key-panel"
      aria-labelledby="new-key-title"
      className="rounded-lg border border-emerald-300 bg-emerald-50/60 p-5 shadow-xs dark:border-emerald-800/70 dark:bg-emerald-950/20"
    >
      <h3 id="new-key-title" className="text-sm font-semibold text-zinc-900 dark:text-zinc-100">
        API key “{created.name}” created
      </h3>
      <p className="mt-2 flex items-center gap-2 text-sm font-medium text-amber-800 dark:text-amber-300">
        <CircleAlert aria-hidden="true" className="size-4 shrink-0" />
        This is the only time the key is shown. Copy it now and keep it somewhere safe.
      </p>
      <div className="mt-4 flex flex-wrap items-stretch gap-2">
        <code
          ref={keyRef}
          data-testid="new-key-value"
          className="min-w-0 flex-1 rounded-md border border-zinc-200 bg-white px-3 py-2 font-mono text-[13px] break-all text-zinc-900 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-100"
        >
          {created.key}
        </code>
        <Button onClick={() => void copy()} data-testid="copy-key-button" className="min-w-24">
          {copied === "yes" ? (
            <Check aria-hidden="true" className="size-4 text-emerald-600" />
          ) : (
            <Copy aria-hidden="true" className="size-4" />
          )}
          {copied === "yes" ? "Copied" : "Copy"}
        </Button>
      </div>
      {copied === "failed" && (
        <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
          The browser refused clipboard access; the key is selected, press Ctrl+C (⌘C) to copy it.
        </p>
      )}
      <h4 className="mt-6 mb-2 text-sm font-medium text-zinc-800 dark:text-zinc-200">Use it with the SDK</h4>
      <div className="space-y-3">
        <CodeBlock code={env} label="Terminal" />
        <CodeBlock code={ts} label="TypeScript" />
      </div>
      <div className="mt-5 flex justify-end">
        <Button variant="primary" onClick={onDone} data-testid="key-done">
          Done
        </Button>
      </div>
    </section>
  );
}
