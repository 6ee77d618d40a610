import { use } from "react";
import { LiveStatusContext, type LiveStatus } from "./live-status-context.ts";

export function useLiveStatus(): LiveStatus {
  const status = use(LiveStatusContext);
  if (!status) throw new Error("useLiveStatus must be used inside <LiveStatusProvider>");
  return status;
}
