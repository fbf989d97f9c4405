// What the worker reports back, every couple of seconds: sandbox and agent states that
// changed since the last report (so the cost tracks change, not fleet size), new log lines
// and engine stats of running agents; disk use of sandboxes and workspaces every
// diskEveryMs, sent when it moved by a MiB or more.
import type { DesiredSandbox, DiskReport, ReportRequest } from "../../common/worker-protocol.ts";
import type { DiskUse, SandboxDriver } from "../drivers/driver.ts";
import { type AgentStatus, agentStatus } from "./observed-state.ts";
import type { Reconciler } from "./reconciler.ts";

/** Measuring costs an exec in each sandbox: often enough for a person watching a bar. */
const diskEveryMs = 10_000;
const MiB = 1024 * 1024;

export class Telemetry {
  private sent = new Map<string, string>();
  private logCursor = new Map<string, Date>();
  private diskMeasuredAt = new Map<string, number>();

  constructor(
    private readonly driver: SandboxDriver,
    private readonly reconciler: Reconciler,
  ) {}

  /** Forget what was sent (after the control plane lost it, or on restart). */
  reset() {
    this.sent.clear();
    this.diskMeasuredAt.clear();
  }

  private changed(key: string, value: unknown): boolean {
    const text = JSON.stringify(value);
    if (this.sent.get(key) === text) return false;
    this.sent.set(key, text);
    return true;
  }

  async collect(): Promise<ReportRequest> {
    const desired = this.reconciler.desired;
    const report: Required<Pick<ReportRequest, "sandboxes" | "agents" | "logs" | "stats">> & {
      disk: DiskReport;
    } = {
      sandboxes: [],
      agents: [],
      logs: [],
      stats: [],
      disk: { sandboxes: [], workspaces: [] },
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
    for (const key of this.sent.keys())
      if (!current.has(key.replace(/^disk:/, ""))) this.sent.delete(key);
    for (const sandbox of desired.sandboxes) {
      // Not walked yet since a restart: "provisioning" would fail the tasks of running agents.
      if (!this.reconciler.walkedTenants.has(sandbox.tenantId)) continue;
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

      if (ready) await this.measureDisk(sandbox, report.disk);

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

  /** Adds the sandbox's disk use to `out` when it is due and moved since last sent. */
  private async measureDisk(sandbox: DesiredSandbox, out: DiskReport) {
    const last = this.diskMeasuredAt.get(sandbox.tenantId) ?? 0;
    if (Date.now() - last < diskEveryMs) return;
    this.diskMeasuredAt.set(sandbox.tenantId, Date.now());
    const agentIds = sandbox.agents.map((a) => a.agentId);
    // Not measurable now (a driver without it, an engine restarting): the next turn tries.
    const usage = await this.driver.diskUsage(sandbox.tenantId, agentIds).catch(() => null);
    if (!usage) return;
    const inMiB = (use: DiskUse) => [Math.round(use.usedBytes / MiB), use.sizeBytes];
    if (usage.store && this.changed(`disk:sandbox:${sandbox.tenantId}`, inMiB(usage.store)))
      out.sandboxes.push({ tenantId: sandbox.tenantId, ...usage.store });
    for (const [agentId, use] of usage.workspaces)
      if (this.changed(`disk:agent:${agentId}`, inMiB(use)))
        out.workspaces.push({ agentId, ...use });
  }
}
