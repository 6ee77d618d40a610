import { createContext } from "react";
import type { HealthReport } from "../../lib/service-meta.ts";

/** `live`: connected and at least one report received. `connecting` also covers automatic reconnects. */
export type LiveConnection = "connecting" | "live" | "error";

export interface LiveStatus {
  connection: LiveConnection;
  /** The latest report from the stream; kept after a disconnect so the UI can show the last known state. */
  report: HealthReport | null;
  /** Client clock (epoch ms) when `report` arrived. */
  receivedAt: number | null;
  error: string | null;
}

export const LiveStatusContext = createContext<LiveStatus | null>(null);
