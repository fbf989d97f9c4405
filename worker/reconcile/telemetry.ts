// What the worker reports back, every couple of seconds: sandbox and agent states that
// changed since the last report (so the cost tracks change, not fleet size), new log lines
// and engine stats of running agents.
import type { ReportRequest } from "../../server/fleet/worker-protocol.ts";
import type { SandboxDriver } from "../drivers/driver.ts";
import { type AgentStatus, agentStatus } from "./observed-state.ts";
import type { Reconciler } from "./reconciler.ts";

export class Telemetry {
  private sent = new Map<string, string>();
  private logCursor = new Map<string, Date>();

  constructor(
    private readonly driver: SandboxDriver,
    private readonly reconciler: Reconciler,
  ) {}

  /** Forget what was sent (after the control plane lost it, or on restart). */
  reset() {
    this.sent.clear();
  }

  private changed(key: string, value: unknown): boolean {
    const text = JSON.stringify(value);
    if (this.sent.get(key) === text) return false;
    this.sent.set(key, text);
    return true;
  }

  async collect(): Promise<ReportRequest> {
    const desired = this.reconciler.desired;
    const report: Required<Pick<ReportRequest, "sandboxes" | "agents" | "logs" | "stats">> = {
      sandboxes: [],
      agents: [],
      logs: [],
      stats: [],
    };
    if (!desired) return report;
    // A sandbox or agent that left the desired state may come back as a new row: forget what
    // was sent about it, so its state is reported afresh.
    const current = new Set(
      desired.sandboxes.flatMap((s) => [
        `sandbox:${s.tenantId}`,
        ...s.agents.map((a) => `agent:${a.agentId}`),
      ]),
    );
    for (const key of this.sent.keys()) if (!current.has(key)) this.sent.delete(key);
    for (const sandbox of desired.sandboxes) {
      const problem = this.reconciler.sandboxProblems.get(sandbox.tenantId);
      const ready = this.reconciler.readyTenants.has(sandbox.tenantId);
      const state = {
        tenantId: sandbox.tenantId,
        state: ready
          ? ("READY" as const)
          : problem
            ? ("FAILED" as const)
            : ("PROVISIONING" as const),
        ...(problem && !ready && { reason: problem }),
      };
      if (this.changed(`sandbox:${sandbox.tenantId}`, state)) report.sandboxes.push(state);

      const containers = ready
        ? await this.driver.listAgents(sandbox.tenantId).catch(() => [])
        : [];
      for (const agent of sandbox.agents) {
        const mine = containers.filter((c) => c.agentId === agent.agentId);
        let status: AgentStatus = agentStatus(
          agent,
          mine,
          this.reconciler.agentProblems.get(agent.agentId),
        );
        if (!ready && problem && agent.desiredState === "RUNNING")
          status = { ...status, state: "FAILED", reason: `sandbox not ready: ${problem}` };
        if (this.changed(`agent:${agent.agentId}`, status)) report.agents.push(status);

        if (
          !mine.some(
            (c) => c.state === "running" || c.state === "restarting" || c.state === "exited",
          )
        )
          continue;
        const since = this.logCursor.get(agent.agentId);
        const lines = await this.driver
          .logs(sandbox.tenantId, agent.agentId, since ? { since } : { tail: 200 })
          .catch(() => []);
        const fresh = since ? lines.filter((l) => new Date(l.at) > since) : lines;
        if (fresh.length > 0) {
          report.logs.push({ agentId: agent.agentId, lines: fresh.slice(-1000) });
          const last = fresh.at(-1);
          if (last) this.logCursor.set(agent.agentId, new Date(last.at));
        }
        if (mine.some((c) => c.state === "running")) {
          const stats = await this.driver.stats(sandbox.tenantId, agent.agentId).catch(() => null);
          if (stats) report.stats.push({ agentId: agent.agentId, ...stats });
        }
      }
    }
    return report;
  }
}
