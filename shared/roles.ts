export const ROLES = ["viewer", "member", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

/** Viewers read; members also replay and create ingest keys; admins manage keys, members and credentials; owners the organisation. */
export function hasRole(actual: Role, minimum: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(minimum);
}
