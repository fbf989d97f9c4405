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
  return { tenantId: d.tenantId, tenantSlug: d.tenantSlug, cpus: d.cpus, memoryMb: d.memoryMb };
}

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
  const seen = new Map(observed.map((s) => [s.tenantId, s]));
  const wanted = new Set(desired.map((d) => d.tenantId));
  return [
    ...desired
      .filter((d) => !seen.get(d.tenantId)?.ready)
      .map((d): SandboxAction => ({ kind: "ensureSandbox", spec: sandboxSpec(d) })),
    ...observed
      .filter((s) => !wanted.has(s.tenantId))
      .map((s): SandboxAction => ({ kind: "destroySandbox", tenantId: s.tenantId })),
  ];
}

const live = (a: ObservedAgent) => a.state === "running" || a.state === "restarting";

/**
 * Agent containers inside one ready sandbox. A container of another generation is replaced
 * (the workspace stays); a container that exited on its own is left for the engine's restart
 * policy (crashes) or as finished (exit 0) — a new run is a new generation.
 */
export function diffAgents(
  tenantId: string,
  desired: DesiredAgent[],
  observed: ObservedAgent[],
): AgentAction[] {
  const actions: AgentAction[] = [];
  const wanted = new Set(desired.map((d) => d.agentId));
  for (const d of desired) {
    const containers = observed.filter((o) => o.agentId === d.agentId);
    const current = containers.filter((o) => o.generation === d.generation);
    const replace = containers.length > current.length || current.length > 1;
    const ids = { tenantId, agentId: d.agentId };
    // A live old container goes first (two runs must not share the workspace); a finished
    // one is cleared after the new run starts, so a start does not wait for it.
    const oldIsLive = replace && containers.some(live);
    if (oldIsLive) actions.push({ kind: "removeAgent", ...ids, purge: false });
    const container = replace ? undefined : current[0];
    if (d.desiredState === "RUNNING") {
      if (!container) {
        actions.push({ kind: "createAgent", spec: agentSpec(tenantId, d) });
        actions.push({ kind: "startAgent", ...ids });
      } else if (container.state === "created") {
        actions.push({ kind: "startAgent", ...ids });
      }
    } else if (container && live(container)) {
      actions.push({ kind: "stopAgent", ...ids });
    }
    if (replace && !oldIsLive)
      actions.push({ kind: "removeOldAgents", ...ids, keepGeneration: d.generation });
  }
  for (const agentId of new Set(observed.map((o) => o.agentId))) {
    if (!wanted.has(agentId)) actions.push({ kind: "removeAgent", tenantId, agentId, purge: true });
  }
  return actions;
}
