import { useState } from "react";
import { Alert } from "../../components/alert.tsx";
import { Button } from "../../components/button.tsx";
import { Field, TextInput } from "../../components/form.tsx";
import { errorMessage } from "../../lib/errors.ts";
import { trpc } from "../../lib/trpc.ts";

/** Creates an organisation and makes it the current one. */
export function CreateOrgForm({ onDone, onCancel }: { onDone?: () => void; onCancel?: () => void }) {
  const utils = trpc.useUtils();
  const [name, setName] = useState("");
  const create = trpc.orgs.create.useMutation();
  const switchOrg = trpc.orgs.switch.useMutation();
  const pending = create.isPending || switchOrg.isPending;

  async function submit() {
    const org = await create.mutateAsync({ name });
    await switchOrg.mutateAsync({ orgId: org.id });
    await utils.invalidate();
    onDone?.();
  }

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit().catch(() => {});
      }}
      className="space-y-4"
    >
      <Field label="Organisation name">
        {(ids) => (
          <TextInput
            {...ids}
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            maxLength={100}
            autoFocus
            placeholder="Acme Inc."
            data-testid="org-name-input"
          />
        )}
      </Field>
      <Alert>{errorMessage(create.error ?? switchOrg.error)}</Alert>
      <div className="flex justify-end gap-2">
        {onCancel && (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Button type="submit" variant="primary" pending={pending} data-testid="org-create-submit">
          Create organisation
        </Button>
      </div>
    </form>
  );
}
