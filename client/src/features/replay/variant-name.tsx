import { Pencil } from "lucide-react";
import { useState } from "react";
import { LABEL_MAX } from "@shared/replay/label.ts";
import { Button } from "../../components/button.tsx";
import { TextInput } from "../../components/form.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { useRenameVariant } from "./replay-api.ts";

/** "Variant 3" by its number in the fork tree; a replay from before numbering is just a replay. */
export const variantTitle = (number: number | null | undefined) => (number ? `Variant ${number}` : "Replay");

/** A variant's number and name, which members can edit in place. */
export function VariantName({
  orgId,
  replayId,
  number,
  label,
  canRename,
}: {
  orgId: string;
  replayId: string;
  number: number | null;
  label: string | null;
  canRename: boolean;
}) {
  const rename = useRenameVariant();
  const [draft, setDraft] = useState<string | null>(null);
  if (draft !== null)
    return (
      <form
        className="flex min-w-0 flex-1 flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate({ orgId, replayId, label: draft }, { onSuccess: () => setDraft(null) });
        }}
      >
        <TextInput
          aria-label={`Name of ${variantTitle(number)}`}
          value={draft}
          maxLength={LABEL_MAX}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => e.key === "Escape" && setDraft(null)}
          autoFocus
          width="w-72"
          className="max-w-full"
          data-testid="variant-name-input"
        />
        <Button size="sm" variant="primary" type="submit" disabled={rename.isPending}>
          Save
        </Button>
        <Button size="sm" variant="ghost" onClick={() => setDraft(null)}>
          Cancel
        </Button>
        {rename.isError && (
          <span role="alert" className="w-full text-xs text-rose-700 dark:text-rose-300">
            {errorMessage(rename.error)}
          </span>
        )}
      </form>
    );
  return (
    <span className="flex min-w-0 items-baseline gap-2">
      <h3 className="shrink-0 text-sm font-semibold text-zinc-900 dark:text-zinc-50" data-testid="variant-title">
        {variantTitle(number)}
      </h3>
      {label && (
        <span
          className="truncate text-sm text-zinc-600 dark:text-zinc-300"
          data-testid="variant-label-text"
          title={label}
        >
          {label}
        </span>
      )}
      {canRename && (
        <button
          type="button"
          onClick={() => setDraft(label ?? "")}
          className="inline-flex shrink-0 items-center gap-1 self-center rounded text-xs font-medium text-zinc-600 hover:text-indigo-600 dark:text-zinc-400 dark:hover:text-indigo-400"
          data-testid="rename-variant"
        >
          <Pencil aria-hidden="true" className="size-3" />
          Rename
        </button>
      )}
    </span>
  );
}
