/** Sent when a runtime connects, so the dashboard shows which SDK each runtime runs (kept equal to package.json). */
export const SDK_VERSION = "0.1.0";
