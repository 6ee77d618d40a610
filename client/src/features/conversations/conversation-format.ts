/** A summary on one line, for a list row: line breaks become spaces (the row truncates it). */
export function summaryPreview(summary: string): string {
  return summary.replace(/\s+/g, " ").trim();
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: "short" });
const timeSeconds = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit", second: "2-digit" });

/** "Nov 22, 2026, 8:01 AM – 8:14 AM", or with both dates when it spans days. */
export function formatSpan(firstAt: string, lastAt: string): string {
  const first = new Date(firstAt);
  const last = new Date(lastAt);
  if (last.getTime() - first.getTime() < 60_000 && first.getMinutes() === last.getMinutes())
    return dateTime.format(first);
  const sameDay = first.toDateString() === last.toDateString();
  return `${dateTime.format(first)} – ${sameDay ? timeOnly.format(last) : dateTime.format(last)}`;
}

/** A message's time in the transcript: "8:01:12 AM". */
export function formatClock(iso: string): string {
  return timeSeconds.format(new Date(iso));
}
