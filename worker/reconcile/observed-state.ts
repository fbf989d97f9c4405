// What the worker tells the control plane about an agent, from what the engine shows now.
import type { DesiredAgent, ObservedAgentState } from "../../common/worker-protocol.ts";
import type { ObservedAgent } from "../drivers/driver.ts";

export interface AgentStatus {
  agentId: string;
  generation: number;
  state: ObservedAgentState;
  reason?: string;
  restartCount: number;
  startedAt?: string;
}

/** A held container waiting for its start runs only its prelude, not the agent (agent-hold.ts). */
export const waitingForStart = (c: ObservedAgent) =>
  c.state === "running" && Boolean(c.held) && Boolean(c.limitsPending);

/** A container restarted by the engine less than this long ago is still crash-looping. */
const settleMs = 30_000;

export function agentStatus(
  desired: DesiredAgent,
  containers: ObservedAgent[],
  problem: string | undefined,
  now = Date.now(),
): AgentStatus {
  const base = { agentId: desired.agentId, generation: desired.generation, restartCount: 0 };
  const c = containers.find((o) => o.generation === desired.generation);
  if (problem) return { ...base, state: "FAILED", reason: problem };
  if (!c)
    return { ...base, state: desired.desiredState === "RUNNING" ? "PROVISIONING" : "STOPPED" };
  const status = {
    ...base,
    restartCount: c.restartCount,
    ...(c.startedAt && { startedAt: c.startedAt }),
  };
  const exit = c.oomKilled ? "killed: out of memory" : `exited with code ${c.exitCode ?? "?"}`;
  const recentlyRestarted =
    c.restartCount > 0 && c.startedAt !== undefined && now - Date.parse(c.startedAt) < settleMs;
  if (c.state === "restarting" || (c.state === "running" && recentlyRestarted))
    return {
      ...status,
      state: desired.desiredState === "RUNNING" ? "CRASH_LOOPING" : "STOPPING",
      reason: `${exit}; restarted ${c.restartCount} times`,
    };
  // A held run still waiting for its start (agent-hold.ts); its StartedAt is the hold's.
  if (waitingForStart(c) && desired.desiredState === "RUNNING")
    return { ...base, restartCount: c.restartCount, state: "PROVISIONING" };
  if (c.state === "running")
    return { ...status, state: desired.desiredState === "RUNNING" ? "RUNNING" : "STOPPING" };
  if (c.state === "created")
    return { ...status, state: desired.desiredState === "RUNNING" ? "PROVISIONING" : "STOPPED" };
  if (desired.desiredState === "STOPPED") return { ...status, state: "STOPPED" };
  if (c.state === "exited" && c.exitCode === 0 && !c.oomKilled)
    return { ...status, state: "STOPPED", reason: "finished: exited with code 0" };
  return { ...status, state: "FAILED", reason: c.error || exit };
}
