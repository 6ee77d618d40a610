import { Cable } from "lucide-react";
import { CodeBlock } from "../../../components/code-block.tsx";
import { DataTable, TD } from "../../../components/data-table.tsx";
import { EmptyState } from "../../../components/empty-state.tsx";
import { SectionHeading } from "../../../components/panel.tsx";
import { errorMessage } from "../../../lib/errors.ts";
import { formatAgo } from "../../../lib/format.ts";
import { trpc } from "../../../lib/trpc.ts";
import { useClock } from "../../../lib/use-clock.ts";
import { useCurrentOrg } from "../../session/use-current-org.ts";
import { LoadError } from "../admin-only.tsx";

const SNIPPET = `import { EchosRuntime } from "echos/sdk"; // ECHOS_API_KEY (a full key) and ECHOS_API_URL

const runtime = new EchosRuntime({ tools: { lookupOrder, sendEmail } });
await runtime.connect({ name: "support-worker" });`;

/** The SDK runtimes connected for this organisation: where replays run the steps that need the user's own tools. */
export default function RuntimesSection() {
  const { org } = useCurrentOrg();
  const runtimes = trpc.runtimes.list.useQuery({ orgId: org.id }, { refetchInterval: 10_000 });
  const now = useClock(5_000);
  return (
    <div className="space-y-6">
      <SectionHeading
        title="Connected runtimes"
        description="Processes of yours that keep a connection to Echos so replays can run your own tools (tool steps) there."
      />
      {runtimes.isError ? (
        <LoadError what="runtimes" message={errorMessage(runtimes.error)} />
      ) : !runtimes.data ? (
        <div className="h-32 animate-pulse rounded-lg bg-zinc-200/60 dark:bg-zinc-800/50" />
      ) : runtimes.data.length === 0 ? (
        <EmptyState
          icon={Cable}
          title="No runtime connected"
          description="Replays run llm, http and code steps on the server. Tool steps call functions in your process: connect it, and Test fix can run them live."
        />
      ) : (
        <DataTable columns={["Name", "Tools", "SDK", "Connected", "Last seen"]} data-testid="runtimes-table">
          {runtimes.data.map((r) => (
            <tr key={r.id}>
              <td className={`${TD} font-medium text-zinc-900 dark:text-zinc-100`}>
                <span className="mr-2 inline-block size-2 rounded-full bg-emerald-500" aria-hidden="true" />
                {r.name}
              </td>
              <td className={`${TD} max-w-md whitespace-normal`}>
                <span className="flex flex-wrap gap-1">
                  {r.tools.map((tool) => (
                    <code
                      key={tool}
                      className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300"
                    >
                      {tool}
                    </code>
                  ))}
                </span>
              </td>
              <td className={TD}>{r.sdkVersion ?? "—"}</td>
              <td className={TD}>{formatAgo(Date.parse(r.connectedAt), now)}</td>
              <td className={TD}>{formatAgo(Date.parse(r.lastSeenAt), now)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <div>
        <p className="mb-2 text-sm text-zinc-600 dark:text-zinc-400">Connect a process that registered its tools:</p>
        <CodeBlock code={SNIPPET} label="TypeScript" />
      </div>
    </div>
  );
}
