import { TextDiff } from "../features/replay/text-diff.tsx";
import RunComparePage from "../features/runs/compare/compare-page.tsx";

/** Two runs side by side, diffed with the replay's text diff (runs and replay meet here, at the route). */
export default function RunCompareRoute() {
  return <RunComparePage Diff={TextDiff} />;
}
