import { createContext } from "react";
import type { LiveConnection } from "../../lib/live/live-connection.ts";
import type { HealthReport } from "../../lib/service-meta.ts";

export interface LiveStatus {
  connection: LiveConnection;
  /** The latest report from the stream; kept after a disconnect so the UI can show the last known state. */
  report: HealthReport | null;
  /** Client clock (epoch ms) when `report` arrived. */
  receivedAt: number | null;
}

export const LiveStatusContext = createContext<LiveStatus | null>(null);
