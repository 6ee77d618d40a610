import type { Role } from "@shared/roles.ts";
import { Alert } from "../../../components/alert.tsx";
import { Button } from "../../../components/button.tsx";
import { Modal } from "../../../components/modal.tsx";
import { ROLE_OPTIONS } from "./role-options.ts";

export interface RoleChange {
  userId: string;
  name: string;
  email: string;
  from: Role;
  to: Role;
  /** The change is to the signed-in user's own role. */
  self: boolean;
}

interface RoleChangeDialogProps {
  change: RoleChange | null;
  pending: boolean;
  error: string | null;
  onConfirm: (change: RoleChange) => void;
  onCancel: () => void;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

const article = (role: Role) => (role === "owner" || role === "admin" ? "an" : "a");

/** Asks before a role changes hands, naming the person and the role; ownership says what it gives away. */
export function RoleChangeDialog({ change, pending, error, onConfirm, onCancel }: RoleChangeDialogProps) {
  const who = change ? (change.self ? "yourself" : change.name || change.email) : "";
  return (
    <Modal
      open={change !== null}
      title={change ? `Make ${who} ${article(change.to)} ${change.to}?` : ""}
      onClose={onCancel}
    >
      {change && (
        <div className="space-y-4 text-sm text-zinc-700 dark:text-zinc-300" data-testid="role-change-dialog">
          <p>
            <span className="font-medium text-zinc-900 dark:text-zinc-100">{change.name || change.email}</span>
            {change.name && <span className="break-all"> ({change.email})</span>} goes from{" "}
            <span className="font-medium">{change.from}</span> to <span className="font-medium">{change.to}</span>:{" "}
            {lowerFirst(ROLE_OPTIONS.find((o) => o.value === change.to)?.text ?? "")}.
          </p>
          {change.to === "owner" && (
            <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 dark:bg-amber-500/10 dark:text-amber-200">
              An owner has every right you have: they can rename the organisation, make others owners and take ownership
              away from anyone, you included. Only an owner can undo this.
            </p>
          )}
          {change.self && change.to !== "owner" && (
            <p className="rounded-md bg-amber-50 px-3 py-2 text-amber-900 dark:bg-amber-500/10 dark:text-amber-200">
              This is your own role: you may lose access to these settings, and only an{" "}
              {change.from === "owner" ? "owner" : "admin or owner"} can give it back.
            </p>
          )}
          <Alert>{error}</Alert>
          <div className="flex flex-wrap justify-end gap-2">
            <Button variant="ghost" onClick={onCancel} disabled={pending}>
              Cancel
            </Button>
            <Button
              variant={change.to === "owner" || change.self ? "danger" : "primary"}
              pending={pending}
              onClick={() => onConfirm(change)}
              data-testid="confirm-role-change"
            >
              Make {change.self ? "me" : "them"} {change.to}
            </Button>
          </div>
        </div>
      )}
    </Modal>
  );
}
