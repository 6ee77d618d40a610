import type { Role } from "@shared/roles.ts";

/** Highest first, as people read a permission ladder. */
export const ROLE_OPTIONS: readonly { value: Role; label: string; text: string }[] = [
  { value: "owner", label: "Owner", text: "Everything, including the organisation itself" },
  { value: "admin", label: "Admin", text: "Members, API keys, credentials and the audit log" },
  { value: "member", label: "Member", text: "Replays runs and creates ingest keys" },
  { value: "viewer", label: "Viewer", text: "Reads runs and dashboards" },
];
