// What the gateway saw, kept until the next report: every denial, a sample of allowed
// requests for the live view, each use of a secret (the ledger), and allowed traffic summed
// per agent, host and minute. Bounded, so an agent hammering the door costs memory only up
// to a limit; what is cut is counted and said.
import { egressDecisions } from "../../common/metrics.ts";
import type { EgressReport } from "../../common/worker-protocol.ts";

type Decision = EgressReport["decisions"][number];
type Use = EgressReport["uses"][number];

const maxDecisions = 2000;
const maxUses = 4000;
/** Allowed requests shown live per agent and report; the minute totals count them all. */
const allowedSamplesPerAgent = 20;

const minuteOf = (at: Date) => new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();

export class EgressRecorder {
  private decisions: Decision[] = [];
  private uses: Use[] = [];
  private samples = new Map<string, number>();
  private minutes = new Map<
    string,
    { agentId: string; host: string; minute: string; requests: number; bytes: number }
  >();
  private cut = new Map<string, number>();

  denied(entry: Omit<Decision, "allowed" | "at">) {
    egressDecisions().inc({ outcome: "denied" });
    if (this.decisions.length >= maxDecisions) {
      this.cut.set(entry.agentId, (this.cut.get(entry.agentId) ?? 0) + 1);
      return;
    }
    this.decisions.push({ ...entry, allowed: false, at: new Date().toISOString() });
  }

  /** A request or tunnel the gateway carried, once it is finished. */
  allowed(entry: Omit<Decision, "allowed" | "at">, bytes: number) {
    egressDecisions().inc({ outcome: "allowed" });
    const now = new Date();
    const minute = minuteOf(now);
    const key = `${entry.agentId}\0${entry.host}\0${minute}`;
    const total = this.minutes.get(key) ?? {
      agentId: entry.agentId,
      host: entry.host,
      minute,
      requests: 0,
      bytes: 0,
    };
    total.requests += 1;
    total.bytes += bytes;
    this.minutes.set(key, total);
    const shown = this.samples.get(entry.agentId) ?? 0;
    if (shown < allowedSamplesPerAgent && this.decisions.length < maxDecisions) {
      this.samples.set(entry.agentId, shown + 1);
      this.decisions.push({ ...entry, allowed: true, at: now.toISOString() });
    }
  }

  used(entry: Omit<Use, "at">) {
    if (this.uses.length < maxUses) this.uses.push({ ...entry, at: new Date().toISOString() });
  }

  /**
   * Everything since the last drain, with minute totals for finished minutes only (the
   * current one is still counting), or all of them when `flushAll` (shutting down).
   */
  drain(flushAll = false): EgressReport {
    const current = minuteOf(new Date());
    const allowed = [...this.minutes.entries()]
      .filter(([, total]) => flushAll || total.minute < current)
      .map(([key, total]) => {
        this.minutes.delete(key);
        return total;
      });
    const decisions = this.decisions;
    for (const [agentId, count] of this.cut)
      decisions.push({
        agentId,
        allowed: false,
        at: new Date().toISOString(),
        host: "-",
        port: 0,
        method: "-",
        path: "-",
        reason: `${count} more denied requests were not itemised (the gateway's buffer was full)`,
      });
    const report = { decisions, uses: this.uses, allowed };
    this.decisions = [];
    this.uses = [];
    this.samples.clear();
    this.cut.clear();
    return report;
  }

  /** A report that could not be sent goes back in front of what came since. */
  restore(report: EgressReport) {
    this.decisions = [...report.decisions, ...this.decisions].slice(0, maxDecisions);
    this.uses = [...report.uses, ...this.uses].slice(0, maxUses);
    for (const total of report.allowed) {
      const key = `${total.agentId}\0${total.host}\0${total.minute}`;
      const now = this.minutes.get(key);
      if (now) {
        now.requests += total.requests;
        now.bytes += total.bytes;
      } else this.minutes.set(key, { ...total });
    }
  }

  isEmpty(): boolean {
    return this.decisions.length === 0 && this.uses.length === 0 && this.minutes.size === 0;
  }
}
