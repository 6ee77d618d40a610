import { useState } from "react";
import { Alert } from "../../../components/alert.tsx";
import { Button } from "../../../components/button.tsx";
import { Field, TextInput } from "../../../components/form.tsx";
import { Panel } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc, type RouterOutputs } from "../../../lib/trpc.ts";
import { ExpiryPicker } from "./expiry-picker.tsx";
import { ScopePicker, type KeyScope } from "./scope-picker.tsx";

export type CreatedKey = RouterOutputs["apiKeys"]["create"];

interface CreateKeyFormProps {
  orgId: string;
  /** Full keys can read the organisation's data: admins and owners only. */
  allowFull: boolean;
  onCancel: () => void;
  onCreated: (key: CreatedKey) => void;
}

export function CreateKeyForm({ orgId, allowFull, onCancel, onCreated }: CreateKeyFormProps) {
  const utils = trpc.useUtils();
  const [name, setName] = useState("");
  const [scope, setScope] = useState<KeyScope>("ingest");
  const [days, setDays] = useState<number | null>(null);
  const create = trpc.apiKeys.create.useMutation({
    // The result holds the secret: drop it from the mutation cache as soon as this form is gone.
    gcTime: 0,
    onSuccess: (key) => {
      onCreated(key);
      void utils.apiKeys.list.invalidate({ orgId });
    },
  });

  return (
    <Panel title="New API key" description="Name it after where it will be used, so you know what to revoke later.">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ orgId, name, scope, expiresInDays: days });
        }}
        className="space-y-5"
      >
        <Field label="Name" className="max-w-md">
          {(ids) => (
            <TextInput
              {...ids}
              required
              maxLength={100}
              autoFocus
              placeholder="production-agent"
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="key-name-input"
            />
          )}
        </Field>
        <ScopePicker value={scope} onChange={setScope} allowFull={allowFull} />
        <ExpiryPicker value={days} onChange={setDays} />
        <Alert>{errorMessage(create.error)}</Alert>
        <div className="flex gap-2">
          <Button type="submit" variant="primary" pending={create.isPending} data-testid="key-submit">
            Create key
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </Panel>
  );
}
