import { useState } from "react";
import { Button } from "./button.tsx";

interface ConfirmButtonProps {
  /** The first button's label ("Revoke"); the confirm step asks "Revoke?" and repeats it. */
  label: string;
  question?: string;
  onConfirm: () => void;
  pending?: boolean;
  testId?: string;
  confirmTestId?: string;
}

/** A destructive action in two clicks, inline in a table row: no modal to lose context. */
export function ConfirmButton({ label, question, onConfirm, pending, testId, confirmTestId }: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button size="sm" variant="ghost-danger" data-testid={testId} onClick={() => setAsking(true)}>
        {label}
      </Button>
    );
  }
  return (
    <span className="inline-flex items-center gap-1.5">
      <span className="text-xs text-zinc-600 dark:text-zinc-400">{question ?? `${label}?`}</span>
      <Button size="sm" variant="danger" data-testid={confirmTestId} pending={pending} onClick={onConfirm}>
        {label}
      </Button>
      <Button size="sm" variant="ghost" onClick={() => setAsking(false)} disabled={pending}>
        Cancel
      </Button>
    </span>
  );
}
