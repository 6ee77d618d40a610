import { useState } from "react";
import { Alert } from "../../../components/alert.tsx";
import { Button } from "../../../components/button.tsx";
import { Field, TextInput } from "../../../components/form.tsx";
import { Panel } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc } from "../../../lib/trpc.ts";

export function CredentialForm({ orgId, onDone }: { orgId: string; onDone: () => void }) {
  const utils = trpc.useUtils();
  const [name, setName] = useState("OPENAI_API_KEY");
  const [baseUrl, setBaseUrl] = useState("https://api.openai.com/v1");
  const [apiKey, setApiKey] = useState("");
  const save = trpc.credentials.save.useMutation({
    onSuccess: async () => {
      await utils.credentials.list.invalidate({ orgId });
      onDone();
    },
  });

  return (
    <Panel
      title="Add a credential"
      description="Any OpenAI-compatible provider: OpenAI, Azure, a gateway, a local model server."
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ orgId, name, baseUrl, apiKey });
        }}
        className="space-y-4"
      >
        <div className="grid gap-4 md:grid-cols-2">
          <Field label="Name" hint="UPPER_SNAKE_CASE, as your agent's code refers to it.">
            {(ids) => (
              <TextInput
                {...ids}
                required
                pattern="[A-Z][A-Z0-9_]{1,63}"
                value={name}
                onChange={(e) => setName(e.target.value.toUpperCase())}
                className="font-mono"
                data-testid="credential-name-input"
              />
            )}
          </Field>
          <Field label="Base URL">
            {(ids) => (
              <TextInput
                {...ids}
                type="url"
                required
                value={baseUrl}
                onChange={(e) => setBaseUrl(e.target.value)}
                data-testid="credential-url-input"
              />
            )}
          </Field>
        </div>
        <Field label="API key" hint="Encrypted before it is stored. Only its last four characters are ever shown.">
          {(ids) => (
            <TextInput
              {...ids}
              type="password"
              required
              autoComplete="off"
              placeholder="sk-…"
              value={apiKey}
              onChange={(e) => setApiKey(e.target.value)}
              className="max-w-md font-mono"
              data-testid="credential-key-input"
            />
          )}
        </Field>
        <Alert>{errorMessage(save.error)}</Alert>
        <div className="flex gap-2">
          <Button type="submit" variant="primary" pending={save.isPending} data-testid="credential-submit">
            Save credential
          </Button>
          <Button variant="ghost" onClick={onDone}>
            Cancel
          </Button>
        </div>
      </form>
    </Panel>
  );
}
