// What the worker reports back, in two parts with their own pace:
//   states   sandbox and agent states that changed since last sent (so the cost tracks
//            change, not fleet size): one listing per sandbox, sent right after a reconcile
//            pass for the tenants it walked, and every couple of seconds for all;
//   samples  new log lines, engine stats of running agents (a one-shot stats call takes the
//            engine about a second) and disk use every diskEveryMs, sent when it moved by a
//            MiB or more, from the states walk's listing of each sandbox while it is fresh. Slow, so it never holds up a state: an agent shown RUNNING late
//            because a neighbour's stats were being read made starts wait on the crowd (#15).
import pLimit from "p-limit";
import type { DesiredSandbox, DiskReport, ReportRequest } from "../../common/worker-protocol.ts";
import type { DiskUse, ObservedAgent, SandboxDriver } from "../drivers/driver.ts";
import { type AgentStatus, agentStatus, waitingForStart } from "./observed-state.ts";
import type { Reconciler } from "./reconciler.ts";

/** Measuring costs an exec in each sandbox: often enough for a person watching a bar. */
const diskEveryMs = 10_000;
const MiB = 1024 * 1024;
/** Engine calls in flight at once: sandboxes are sampled side by side, not one by one. */
const engineCallsAtOnce = 8;
/** A listing this recent serves the samples too: states walk every sandbox every 2 s. */
const listingFreshMs = 3_000;

export type StateReport = Required<Pick<ReportRequest, "sandboxes" | "agents">>;
export type SampleReport = Required<Pick<ReportRequest, "logs" | "stats">> & { disk: DiskReport };

export class Telemetry {
  private sent = new Map<string, string>();
  private logCursor = new Map<string, Date>();
  private diskMeasuredAt = new Map<string, number>();
  /** Each sandbox's agents as the last states walk listed them, reused by the samples. */
  private listed = new Map<string, { at: number; containers: ObservedAgent[] }>();

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

  /** States that changed: of every sandbox, or with `only`, of those tenants' sandboxes. */
  async states(only?: ReadonlySet<string>): Promise<StateReport> {
    const report: StateReport = { sandboxes: [], agents: [] };
    const desired = this.reconciler.desired;
    if (!desired) return report;
    if (!only) this.forgetDeparted(desired.sandboxes);
    const limit = pLimit(engineCallsAtOnce);
    const walked = desired.sandboxes.filter(
      // Not walked yet since a restart: "provisioning" would fail the tasks of running agents.
      (s) => (!only || only.has(s.tenantId)) && this.reconciler.walkedTenants.has(s.tenantId),
    );
    await Promise.all(walked.map((sandbox) => limit(() => this.stateOf(sandbox, report))));
    return report;
  }

  /** New log lines, stats of running agents and disk use that moved, of every sandbox. */
  async samples(): Promise<SampleReport> {
    const report: SampleReport = { logs: [], stats: [], disk: { sandboxes: [], workspaces: [] } };
    const desired = this.reconciler.desired;
    if (!desired) return report;
    const limit = pLimit(engineCallsAtOnce);
    const ready = desired.sandboxes.filter((s) => this.reconciler.readyTenants.has(s.tenantId));
    await Promise.all(
      ready.map(async (sandbox) => {
        const [containers] = await Promise.all([
          limit(() => this.listing(sandbox.tenantId)),
          limit(() => this.measureDisk(sandbox, report.disk)),
        ]);
        await Promise.all(
          sandbox.agents.map((agent) => {
            const mine = containers.filter((c) => c.agentId === agent.agentId);
            return limit(() => this.sampleAgent(sandbox.tenantId, agent.agentId, mine, report));
          }),
        );
      }),
    );
    return report;
  }

  /** The states walk's listing while fresh (it lists every sandbox every couple of seconds). */
  private async listing(tenantId: string): Promise<ObservedAgent[]> {
    const last = this.listed.get(tenantId);
    if (last && Date.now() - last.at < listingFreshMs) return last.containers;
    return this.driver.listAgents(tenantId).catch(() => []);
  }

  private async stateOf(sandbox: DesiredSandbox, report: StateReport) {
    const problem = this.reconciler.sandboxProblems.get(sandbox.tenantId);
    const ready = this.reconciler.readyTenants.has(sandbox.tenantId);
    const state = {
      tenantId: sandbox.tenantId,
      state: ready ? ("READY" as const) : problem ? ("FAILED" as const) : ("PROVISIONING" as const),
      ...(problem && !ready && { reason: problem }),
    };
    if (this.changed(`sandbox:${sandbox.tenantId}`, state)) report.sandboxes.push(state);

    const containers = ready ? await this.driver.listAgents(sandbox.tenantId).catch(() => []) : [];
    if (ready) this.listed.set(sandbox.tenantId, { at: Date.now(), containers });
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
    }
  }

  private async sampleAgent(
    tenantId: string,
    agentId: string,
    containers: ObservedAgent[],
    report: SampleReport,
  ) {
    const running = containers.filter((c) => c.state === "running" && !waitingForStart(c));
    const hasRun =
      running.length > 0 ||
      containers.some((c) => c.state === "restarting" || c.state === "exited");
    if (!hasRun) return;
    const since = this.logCursor.get(agentId);
    const lines = await this.driver
      .logs(tenantId, agentId, since ? { since } : { tail: 200 })
      .catch(() => []);
    const fresh = since ? lines.filter((l) => new Date(l.at) > since) : lines;
    if (fresh.length > 0) {
      report.logs.push({ agentId, lines: fresh.slice(-1000) });
      const last = fresh.at(-1);
      if (last) this.logCursor.set(agentId, new Date(last.at));
    }
    if (running.length > 0) {
      const stats = await this.driver.stats(tenantId, agentId).catch(() => null);
      if (stats) report.stats.push({ agentId, ...stats });
    }
  }

  /**
   * A sandbox or agent that left the desired state may come back as a new row: forget what
   * was sent about it, so its state is reported afresh.
   */
  private forgetDeparted(sandboxes: DesiredSandbox[]) {
    const current = new Set(
      sandboxes.flatMap((s) => [
        `sandbox:${s.tenantId}`,
        ...s.agents.map((a) => `agent:${a.agentId}`),
      ]),
    );
    for (const key of this.sent.keys())
      if (!current.has(key.replace(/^disk:/, ""))) this.sent.delete(key);
    for (const agentId of this.logCursor.keys())
      if (!current.has(`agent:${agentId}`)) this.logCursor.delete(agentId);
    const tenants = new Set(sandboxes.map((s) => s.tenantId));
    for (const tenantId of this.listed.keys())
      if (!tenants.has(tenantId)) this.listed.delete(tenantId);
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
