"use client";
import { useQuery } from "@tanstack/react-query";
import { Sparkline } from "@/app/_components/sparkline.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

/** CPU and memory from the engine, sampled while the agent runs. */
export function AgentStats(props: {
  orgSlug: string;
  agentId: string;
  refetchInterval: number | false;
}) {
  const { orgSlug, agentId, refetchInterval } = props;
  const trpc = useTRPC();
  const stats = useQuery(trpc.agents.stats.queryOptions({ orgSlug, agentId }, { refetchInterval }));
  const samples = stats.data ?? [];
  const last = samples.at(-1);
  return (
    <section
      aria-labelledby="usage-heading"
      className="space-y-3 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 id="usage-heading" className="font-semibold">
        Usage
      </h2>
      {!last ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          No samples yet: they arrive while the agent runs.
        </p>
      ) : (
        <div className="grid gap-4 sm:grid-cols-2">
          <div>
            <p className="text-sm" data-testid="agent-cpu">
              CPU {last.cpuPercent.toFixed(1)}%
            </p>
            <Sparkline
              values={samples.map((s) => s.cpuPercent)}
              max={100}
              label="CPU over the last few minutes"
            />
          </div>
          <div>
            <p className="text-sm" data-testid="agent-memory">
              Memory {mib(last.memoryBytes)} of {mib(last.memoryLimit)} · {last.pids} processes
            </p>
            <Sparkline
              values={samples.map((s) => s.memoryBytes)}
              max={last.memoryLimit}
              label="Memory over the last few minutes"
            />
          </div>
        </div>
      )}
    </section>
  );
}
