import { trpc } from "../../lib/trpc.ts";

/** Loading and removing the organisation's sample data; every view of runs is refreshed afterwards. */
export function useSampleData(orgId: string) {
  const utils = trpc.useUtils();
  const refresh = () => {
    void utils.runs.invalidate();
    void utils.conversations.invalidate();
    void utils.sampleData.status.invalidate({ orgId });
  };
  const status = trpc.sampleData.status.useQuery({ orgId });
  const load = trpc.sampleData.load.useMutation({ onSuccess: refresh });
  const remove = trpc.sampleData.remove.useMutation({ onSuccess: refresh });
  return { status, load, remove };
}
