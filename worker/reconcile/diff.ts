// The reconcile diff, pure: what should be (the control plane's desired state) against what
// is (what the driver found by labels), as a list of idempotent actions. Level-triggered:
// it never asks what happened before, so a worker killed at any point converges on restart.
import type { DesiredAgent, DesiredSandbox } from "../../common/worker-protocol.ts";
import type { AgentSpec, ObservedAgent, ObservedSandbox, SandboxSpec } from "../drivers/driver.ts";

export type SandboxAction =
  | { kind: "ensureSandbox"; spec: SandboxSpec }
  | { kind: "destroySandbox"; tenantId: string };

export type AgentAction =
  | { kind: "createAgent"; spec: AgentSpec }
  | { kind: "startAgent"; tenantId: string; agentId: string }
  | { kind: "stopAgent"; tenantId: string; agentId: string }
  | { kind: "removeAgent"; tenantId: string; agentId: string; purge: boolean }
  | { kind: "removeOldAgents"; tenantId: string; agentId: string; keepGeneration: number };

export function sandboxSpec(d: DesiredSandbox): SandboxSpec {
  return {
    tenantId: d.tenantId,
    tenantSlug: d.tenantSlug,
    cpus: d.cpus,
    memoryMb: d.memoryMb,
    ...(d.isolation && { isolation: d.isolation }),
  };
}

/** A sandbox in another wall than its tenant now asks for must be made again. */
export const wrongWall = (d: Pick<DesiredSandbox, "isolation">, o: ObservedSandbox) =>
  Boolean(d.isolation && o.isolation && o.isolation !== d.isolation);

export function agentSpec(tenantId: string, a: DesiredAgent): AgentSpec {
  return {
    tenantId,
    agentId: a.agentId,
    name: a.name,
    generation: a.generation,
    image: a.image,
    command: a.command,
    env: a.env,
    cpus: a.cpus,
    memoryMb: a.memoryMb,
    pids: a.pids,
    workspaceMb: a.workspaceMb,
  };
}

/** Sandboxes to create or repair, and sandboxes this host owns but should no longer run. */
export function diffSandboxes(
  desired: DesiredSandbox[],
  observed: ObservedSandbox[],
): SandboxAction[] {
  const wanted = new Map(desired.map((d) => [d.tenantId, d]));
  const actions: SandboxAction[] = [];
  // Gone from this host, or in the wrong wall: removed first (a wall change loses workspaces).
  for (const tenantId of new Set(observed.map((s) => s.tenantId))) {
    const d = wanted.get(tenantId);
    const stale = observed.some((s) => s.tenantId === tenantId && d && wrongWall(d, s));
    if (!d || stale) actions.push({ kind: "destroySandbox", tenantId });
  }
  for (const d of desired) {
    const fit = observed.find((s) => s.tenantId === d.tenantId && !wrongWall(d, s));
    const destroyed = actions.some((a) => a.kind === "destroySandbox" && a.tenantId === d.tenantId);
    if (destroyed || !fit?.ready) actions.push({ kind: "ensureSandbox", spec: sandboxSpec(d) });
  }
  return actions;
}

const live = (a: ObservedAgent) => a.state === "running" || a.state === "restarting";

/** A held next run not waiting: made but not started, or stopped since (a sandbox restart). */
const holdUnfinished = (a: ObservedAgent) =>
  Boolean(a.held) && (a.state === "created" || a.state === "exited");

/**
 * Agent containers inside one ready sandbox. A container of another generation is replaced
 * (the workspace stays); a container that exited on its own is left for the engine's restart
 * policy (crashes) or as finished (exit 0) — a new run is a new generation.
 *
 * A start is also asked for a live container whose limits are not in force yet (a worker cut
 * short between its start and its limit, see agent-container.ts).
 *
 * A stopped agent keeps its next run's container ready: a start after a stop is generation + 1.
 * The driver holds it started, waiting before the agent's process, where it can (a start then
 * releases it: agent-hold.ts), else leaves it created (a start only). A hold not started, or
 * stopped since, is asked for again. Those warm creates come last, after every start and stop.
 */
export function diffAgents(
  tenantId: string,
  desired: DesiredAgent[],
  observed: ObservedAgent[],
  options: { warmStarts?: boolean } = {},
): AgentAction[] {
  const actions: AgentAction[] = [];
  const warming: AgentAction[] = [];
  const wanted = new Set(desired.map((d) => d.agentId));
  for (const d of desired) {
    const stopped = d.desiredState === "STOPPED";
    const warmGeneration = stopped ? d.generation + 1 : undefined;
    const mine = observed.filter((o) => o.agentId === d.agentId);
    const warm = mine.find((o) => o.generation === warmGeneration);
    const containers = mine.filter((o) => o.generation !== warmGeneration);
    const current = containers.filter((o) => o.generation === d.generation);
    const replace = containers.length > current.length || current.length > 1;
    const ids = { tenantId, agentId: d.agentId };
    // A live old container goes first (two runs must not share the workspace); a finished
    // one is cleared after the new run starts, so a start does not wait for it.
    const oldIsLive =
      replace &&
      containers.some((o) => live(o) && (o.generation !== d.generation || current.length > 1));
    if (oldIsLive) actions.push({ kind: "removeAgent", ...ids, purge: false });
    // Removing a live old run removes every container of the agent; duplicates start over.
    const container = oldIsLive || current.length > 1 ? undefined : current[0];
    if (!stopped) {
      if (!container) {
        actions.push({ kind: "createAgent", spec: agentSpec(tenantId, d) });
        actions.push({ kind: "startAgent", ...ids });
      } else if (container.state === "created" || (live(container) && container.limitsPending)) {
        actions.push({ kind: "startAgent", ...ids });
      }
      if (replace && !oldIsLive)
        actions.push({ kind: "removeOldAgents", ...ids, keepGeneration: d.generation });
    } else if (container && live(container)) {
      actions.push({ kind: "stopAgent", ...ids });
    } else if (options.warmStarts !== false && !oldIsLive && (!warm || holdUnfinished(warm))) {
      // Finished runs stay beside it (their logs are the agent's last words) until it starts.
      warming.push({
        kind: "createAgent",
        spec: { ...agentSpec(tenantId, d), generation: d.generation + 1, hold: true },
      });
    }
  }
  for (const agentId of new Set(observed.map((o) => o.agentId))) {
    if (!wanted.has(agentId)) actions.push({ kind: "removeAgent", tenantId, agentId, purge: true });
  }
  return [...actions, ...warming];
}
