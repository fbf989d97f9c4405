"use client";
import { useQuery } from "@tanstack/react-query";
import { Sparkline } from "@/app/_components/sparkline.tsx";
import { UsageBar } from "@/app/_components/usage-bar.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;

/** The agent's workspace as its host last measured it (null until then), and its limit. */
export interface WorkspaceUse {
  workspaceMb: number;
  workspaceUsedBytes: bigint | number | null;
  workspaceSizeBytes: bigint | number | null;
}

/** CPU and memory from the engine, sampled while the agent runs; its workspace's disk use. */
export function AgentStats(props: {
  orgSlug: string;
  agentId: string;
  refetchInterval: number | false;
  workspace: WorkspaceUse;
}) {
  const { orgSlug, agentId, refetchInterval, workspace } = props;
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
      <WorkspaceDisk {...workspace} />
    </section>
  );
}

/** Measured whether or not the agent runs, as long as its workspace exists. */
function WorkspaceDisk({ workspaceMb, workspaceUsedBytes, workspaceSizeBytes }: WorkspaceUse) {
  return (
    <div className="space-y-1">
      <p className="text-sm">Workspace</p>
      {workspaceUsedBytes === null || workspaceSizeBytes === null ? (
        <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="agent-workspace">
          Not measured yet: its host measures it once the workspace exists (limit {workspaceMb}{" "}
          MiB).
        </p>
      ) : (
        <UsageBar
          label="Workspace disk"
          usedBytes={Number(workspaceUsedBytes)}
          sizeBytes={Number(workspaceSizeBytes)}
          testId="agent-workspace"
        />
      )}
    </div>
  );
}
