import { ForkTree, ReplayLineage } from "../features/replay/fork-tree.tsx";
import { PlaygroundMenu } from "../features/replay/playground-menu.tsx";
import { ReplayButton } from "../features/replay/replay-entry.tsx";
import RunDetailPage, { type RunReplayParts } from "../features/runs/run-detail/run-detail-page.tsx";

// Runs and replay never import each other; a page that shows both is put together here, at the route.
const REPLAY_PARTS: RunReplayParts = {
  Lineage: ReplayLineage,
  ForkTree,
  Action: ReplayButton,
  Playground: PlaygroundMenu,
};

/** A run's page, with its replay lineage, fork tree and Test fix buttons. */
export default function RunDetailRoute() {
  return <RunDetailPage replay={REPLAY_PARTS} />;
}
