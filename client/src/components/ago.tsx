import { formatAgo, formatDateTime } from "../lib/format.ts";
import { useClock } from "../lib/use-clock.ts";

/** "12 s ago", refreshed every few seconds; the exact time on hover. */
export function Ago({ iso }: { iso: string }) {
  const now = useClock(5000);
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatAgo(Date.parse(iso), now)}
    </time>
  );
}
