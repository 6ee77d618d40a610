const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A duration in seconds as its two most significant units: "42 s", "12 min 5 s", "3 h 12 min", "2 d 4 h". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < MINUTE) return `${s} s`;
  if (s < HOUR) return pair(Math.floor(s / MINUTE), "min", s % MINUTE, "s");
  if (s < DAY) return pair(Math.floor(s / HOUR), "h", Math.floor((s % HOUR) / MINUTE), "min");
  return pair(Math.floor(s / DAY), "d", Math.floor((s % DAY) / HOUR), "h");
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}

/** How long ago `then` was, relative to `now` (both epoch ms): "just now", "2 s ago", "5 min ago". */
export function formatAgo(then: number, now: number): string {
  const s = Math.floor((now - then) / 1000);
  if (s < 1) return "just now";
  if (s < MINUTE) return `${s} s ago`;
  if (s < HOUR) return `${Math.floor(s / MINUTE)} min ago`;
  if (s < DAY) return `${Math.floor(s / HOUR)} h ago`;
  return `${Math.floor(s / DAY)} d ago`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export function formatDateTime(iso: string | number): string {
  return dateTime.format(new Date(iso));
}

const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatDate(iso: string | number): string {
  return date.format(new Date(iso));
}

/** Up to two letters for an avatar: "Acme Labs" → "AL", "zoe" → "ZO". */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? `${words[0]![0]}${words[1]![0]}` : name.trim().slice(0, 2);
  return letters.toUpperCase() || "?";
}
