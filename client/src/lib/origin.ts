/** Where this dashboard is served from: the URL agents should send to (ECHOS_API_URL). */
export function serverOrigin(): string {
  return window.location.origin;
}
