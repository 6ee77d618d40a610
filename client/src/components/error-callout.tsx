import { TriangleAlert } from "lucide-react";
import { CopyButton } from "./copy-button.tsx";

/** A recorded error message, kept verbatim (monospace, wrapped) with a button to copy it. */
export function ErrorCallout({ message, testId }: { message: string; testId?: string }) {
  return (
    <div
      role="alert"
      data-testid={testId}
      className="rounded-lg border border-rose-200 bg-rose-50 px-3.5 py-3 text-rose-900 dark:border-rose-900/60 dark:bg-rose-950/30 dark:text-rose-200"
    >
      <div className="flex items-start gap-2">
        <TriangleAlert aria-hidden="true" className="mt-0.5 size-4 shrink-0 text-rose-600 dark:text-rose-400" />
        <pre className="min-w-0 flex-1 font-mono text-[12px] leading-5 break-words whitespace-pre-wrap">{message}</pre>
        <CopyButton text={message} label="Copy error" className="-mt-0.5 -mr-1 text-rose-400 hover:bg-rose-100" />
      </div>
    </div>
  );
}
