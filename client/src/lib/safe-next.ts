/** A `next` query value, if it is a path on this site; anything else (`//evil.example`, `https:…`) becomes `/`. */
export function safeNextPath(raw: string | null | undefined): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  return raw;
}

/** `/login?next=…` for the page the visitor was trying to reach; plain `/login` for the home page. */
export function loginPathFor(path: string): string {
  return path === "/" ? "/login" : `/login?next=${encodeURIComponent(path)}`;
}
