// Finding agent containers in a sandbox's engine by their labels, and describing them.
import type Docker from "dockerode";
import type { AgentStats, ContainerState, LogLine, ObservedAgent } from "../driver.ts";
import { cpuLimitOptions } from "./agent-container.ts";
import { parseFrames } from "./multiplexed.ts";
import { LABEL } from "./names.ts";

export interface AgentContainer {
  id: string;
  generation: number;
  state: string;
  /** The CPU limit a held container gets at its start (LABEL.cpuLimit); none when in force from the create. */
  cpuLimit?: number;
  /** Made to be held ready before its start (agent-hold.ts). */
  held: boolean;
}

/** The agent's containers in the sandbox, newest generation first. */
export async function findAgentContainers(
  engine: Docker,
  tenantId: string,
  agentId?: string,
): Promise<(AgentContainer & { agentId: string })[]> {
  const label = [
    `${LABEL.tenant}=${tenantId}`,
    agentId ? `${LABEL.agent}=${agentId}` : LABEL.agent,
  ];
  const containers = await engine.listContainers({ all: true, filters: { label } });
  return containers
    .map((container) => ({
      id: container.Id,
      agentId: container.Labels[LABEL.agent] ?? "",
      generation: Number(container.Labels[LABEL.generation] ?? 0),
      state: container.State,
      held: container.Labels[LABEL.hold] === "true",
      ...(container.Labels[LABEL.cpuLimit] && {
        cpuLimit: Number(container.Labels[LABEL.cpuLimit]),
      }),
    }))
    .sort((a, b) => b.generation - a.generation);
}

const knownStates: readonly string[] = [
  "created",
  "running",
  "restarting",
  "exited",
  "paused",
  "dead",
] satisfies ContainerState[];

/** The engine's "zero" time, which means "never". */
function timeOrUndefined(value: string | undefined): string | undefined {
  return value && !value.startsWith("0001-") ? value : undefined;
}

/** `releasedAt`: when a held container was released, if this worker did it (agent-hold.ts). */
export function toObservedAgent(
  info: Docker.ContainerInspectInfo,
  releasedAt?: string,
): ObservedAgent {
  const labels = info.Config.Labels ?? {};
  const state = info.State;
  // "removing" is on its way out: as good as dead.
  const status = knownStates.includes(state.Status) ? (state.Status as ContainerState) : "dead";
  const hasExited = status !== "running" && status !== "created" && status !== "paused";
  const live = status === "running" || status === "restarting" || status === "paused";
  return {
    tenantId: labels[LABEL.tenant] ?? "",
    agentId: labels[LABEL.agent] ?? "",
    generation: Number(labels[LABEL.generation] ?? 0),
    containerId: info.Id,
    state: status,
    exitCode: hasExited ? state.ExitCode : undefined,
    oomKilled: state.OOMKilled || undefined,
    restartCount: info.RestartCount,
    startedAt: releasedAt ?? timeOrUndefined(state.StartedAt),
    finishedAt: timeOrUndefined(state.FinishedAt),
    error: state.Error || undefined,
    limitsPending: (live && !cpuLimitApplied(info)) || undefined,
    held: labels[LABEL.hold] === "true" || undefined,
  };
}

/**
 * Whether the CPU limit on the container's label is in force. Containers without one had their
 * limit from the start; a held one gets it at its release, as the period and quota of
 * cpuLimitOptions, or (set by earlier versions) as NanoCpus.
 */
export function cpuLimitApplied(info: Docker.ContainerInspectInfo): boolean {
  const label = info.Config.Labels?.[LABEL.cpuLimit];
  if (label === undefined) return true;
  const wanted = cpuLimitOptions(Number(label));
  const host = info.HostConfig;
  return (
    host.NanoCpus === Number(label) ||
    (host.CpuPeriod === wanted.CpuPeriod && host.CpuQuota === wanted.CpuQuota)
  );
}

/** One LogLine per line of a multiplexed, timestamped log answer. */
export function parseLogLines(raw: Buffer): LogLine[] {
  const lines: LogLine[] = [];
  for (const frame of parseFrames(raw)) {
    for (const line of frame.payload.toString("utf8").split("\n")) {
      if (line === "") continue;
      const space = line.indexOf(" ");
      lines.push({
        at: space > 0 ? line.slice(0, space) : "",
        stream: frame.stream,
        text: space > 0 ? line.slice(space + 1) : line,
      });
    }
  }
  return lines;
}

/** CPU as a share of one core (100 = a full core), memory without the page cache. */
export function toAgentStats(stats: Docker.ContainerStats): AgentStats {
  // A stopped container's answer lacks most fields, whatever the types say.
  const now = stats.cpu_stats as Partial<Docker.CPUStats> | undefined;
  const before = stats.precpu_stats as Partial<Docker.CPUStats> | undefined;
  const cpuDelta = (now?.cpu_usage?.total_usage ?? 0) - (before?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (now?.system_cpu_usage ?? 0) - (before?.system_cpu_usage ?? 0);
  const cpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1;
  const memory = (stats.memory_stats ?? {}) as Partial<Docker.MemoryStats>;
  const detail = (memory.stats ?? {}) as Record<string, number | undefined>;
  // cgroup v1 reports total_inactive_file, v2 inactive_file.
  const reclaimable = detail.total_inactive_file ?? detail.inactive_file ?? 0;
  return {
    cpuPercent: systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0,
    memoryBytes: Math.max(0, (memory.usage ?? 0) - reclaimable),
    memoryLimitBytes: memory.limit ?? 0,
    pids: stats.pids_stats?.current ?? 0,
  };
}
