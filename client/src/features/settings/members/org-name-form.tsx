import { useState } from "react";
import { Alert } from "../../../components/alert.tsx";
import { Button } from "../../../components/button.tsx";
import { TextInput } from "../../../components/form.tsx";
import { Panel } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc } from "../../../lib/trpc.ts";

/** Owners only: the organisation's name, as shown in the switcher and in invitations. */
export function OrgNameForm({ orgId, name }: { orgId: string; name: string }) {
  const utils = trpc.useUtils();
  const [value, setValue] = useState(name);
  const rename = trpc.orgs.rename.useMutation({ onSuccess: () => utils.auth.me.invalidate() });
  const unchanged = value.trim() === name;

  return (
    <Panel title="Organisation" description="Its name appears in the organisation switcher and in invitations.">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          rename.mutate({ orgId, name: value });
        }}
        className="flex max-w-lg flex-wrap items-center gap-2"
      >
        <TextInput
          aria-label="Organisation name"
          required
          maxLength={100}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          className="max-w-xs flex-1"
          data-testid="org-rename-input"
        />
        <Button type="submit" pending={rename.isPending} disabled={unchanged} data-testid="org-rename-submit">
          Save
        </Button>
        {rename.isSuccess && unchanged && <span className="text-sm text-emerald-600 dark:text-emerald-400">Saved</span>}
      </form>
      <Alert className="mt-3 max-w-lg">{errorMessage(rename.error)}</Alert>
    </Panel>
  );
}
