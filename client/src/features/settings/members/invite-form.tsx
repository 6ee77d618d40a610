import { Send } from "lucide-react";
import { useState } from "react";
import type { Role } from "@shared/roles.ts";
import { Alert } from "../../../components/alert.tsx";
import { Button } from "../../../components/button.tsx";
import { Field, Select, TextInput } from "../../../components/form.tsx";
import { Panel } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { trpc } from "../../../lib/trpc.ts";
import { useLiveStatus } from "../../system/use-live-status.ts";
import { ROLE_OPTIONS } from "./role-options.ts";

export function InviteForm({ orgId, canInviteOwner }: { orgId: string; canInviteOwner: boolean }) {
  const utils = trpc.useUtils();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const invite = trpc.orgs.invite.useMutation({
    onSuccess: () => {
      setEmail("");
      return utils.orgs.invites.invalidate({ orgId });
    },
  });
  const emailOff = useLiveStatus().report?.services.email === "not_configured";

  return (
    <Panel title="Invite a teammate" description="They get an e-mail with a link to join; it is valid for 7 days.">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate({ orgId, email, role });
        }}
        className="flex flex-wrap items-end gap-3"
      >
        <Field label="Email" className="w-full max-w-xs">
          {(ids) => (
            <TextInput
              {...ids}
              type="email"
              required
              placeholder="teammate@example.com"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              data-testid="invite-email-input"
            />
          )}
        </Field>
        <Field label="Role" className="w-40">
          {(ids) => (
            <Select
              {...ids}
              value={role}
              onChange={(e) => setRole(e.target.value as Role)}
              data-testid="invite-role-select"
            >
              {ROLE_OPTIONS.filter((o) => canInviteOwner || o.value !== "owner").map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Button type="submit" variant="primary" pending={invite.isPending} data-testid="invite-submit">
          <Send aria-hidden="true" className="size-4" />
          Send invitation
        </Button>
      </form>
      <p className="mt-2 text-xs text-zinc-500 dark:text-zinc-400">
        {ROLE_OPTIONS.find((o) => o.value === role)?.label}: {ROLE_OPTIONS.find((o) => o.value === role)?.text}.
      </p>
      <div className="mt-3 space-y-2">
        <Alert>{errorMessage(invite.error)}</Alert>
        {invite.isSuccess && (
          <Alert tone="success">
            Invitation sent to {invite.data.email}
            {emailOff && " (e-mail is not configured on this server: the invitation link is in the server log)"}.
          </Alert>
        )}
      </div>
    </Panel>
  );
}
