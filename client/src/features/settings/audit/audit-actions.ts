const LABELS: Readonly<Record<string, string>> = {
  "auth.login": "Signed in",
  "auth.login_failed": "Sign-in failed",
  "auth.signup": "Signed up",
  "api_key.created": "API key created",
  "api_key.revoked": "API key revoked",
  "member.invited": "Member invited",
  "member.joined": "Member joined",
  "member.role_changed": "Role changed",
  "member.removed": "Member removed",
  "credential.saved": "Credential saved",
  "credential.deleted": "Credential deleted",
  "model_price.saved": "Model price saved",
  "model_price.deleted": "Model price deleted",
  "model_price.applied": "Model price applied to past spans",
  "org.created": "Organisation created",
  "org.renamed": "Organisation renamed",
};

/** `api_key.created` → "API key created"; unknown actions are spelled out word by word. */
export function humaniseAction(action: string): string {
  const known = LABELS[action];
  if (known) return known;
  const words = action.replace(/[._]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The one detail worth a glance from an entry's metadata: a role change, a key's scope. */
export function auditDetail(action: string, metadata: unknown): string | null {
  if (!metadata || typeof metadata !== "object") return null;
  const m = metadata as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  if (action === "member.role_changed" && str(m.from) && str(m.to)) return `${str(m.from)} → ${str(m.to)}`;
  if (action.startsWith("api_key.") && str(m.prefix))
    return `${str(m.prefix)}…${str(m.scope) ? ` · ${str(m.scope)}` : ""}`;
  if (str(m.role)) return str(m.role);
  if (str(m.provider)) return str(m.provider);
  return null;
}

export function actionTone(action: string): "danger" | "neutral" {
  return /failed|revoked|removed|deleted/.test(action) ? "danger" : "neutral";
}
