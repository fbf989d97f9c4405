// The worker's main loops, after it knows who it is (identity.ts):
//   heartbeat  every few seconds: what this host can hold, whether its driver is healthy;
//   watch      long-polls the desired state; a new version wakes reconcile at once;
//   reconcile  observe → diff → act, on every change and every CORRAL_RESYNC_SECONDS;
//   report     changed states: right after a pass for the tenants it walked, and every 2 s;
//   samples    every 2 s: new log lines, stats and disk use (slow: kept off the states' way).
// Unreachable control plane: said once, retried. Refused credential: fatal.
import { describeError, UnreachableError } from "../common/errors.ts";
import {
  type DesiredState,
  type EgressReport,
  type EngineInfo,
  type HostReport,
  isEmptyReport,
  type ReportRequest,
} from "../common/worker-protocol.ts";
import type { WorkerConfig } from "./config.ts";
import { ControlPlaneClient } from "./control-plane/client.ts";
import type { SandboxDriver } from "./drivers/driver.ts";
import type { EgressGateway } from "./gateway/gateway.ts";
import { establishIdentity } from "./identity.ts";
import { Reconciler } from "./reconcile/reconciler.ts";
import { Telemetry } from "./reconcile/telemetry.ts";

export const workerVersion = "0.2.0";

export interface FleetAgentOptions {
  config: WorkerConfig;
  driver: SandboxDriver;
  /** The host's egress gateway; without one, agents have no way out at all. */
  gateway?: EgressGateway;
  describeEngine: () => Promise<EngineInfo>;
  signal: AbortSignal;
  log: (line: string) => void;
}

export async function runFleetAgent({
  config,
  driver,
  gateway,
  describeEngine,
  signal,
  log,
}: FleetAgentOptions) {
  const client = new ControlPlaneClient(config.CORRAL_CONTROL_PLANE_URL);
  const hostReport = async (): Promise<HostReport> => {
    const [engine, fp] = await Promise.all([describeEngine(), driver.fingerprint()]);
    return {
      name: config.CORRAL_WORKER_NAME,
      version: workerVersion,
      // The operator's labels, then what the driver found (microvm=, container=): placement
      // trusts those, so no typed label can claim a wall this host cannot give.
      labels: { ...config.CORRAL_WORKER_LABELS, ...fp.labels },
      engine,
      driver: {
        name: fp.driver,
        healthy: fp.healthy,
        ...(fp.reason && { reason: fp.reason }),
        capacity: fp.capacity,
      },
    };
  };
  const problems = new Map<string, string>();
  /** Runs `work`; an unreachable control plane is reported once per outage and retried. */
  const attempt = async (loop: string, work: () => Promise<void>) => {
    try {
      await work();
      if (problems.get(loop)) log(`${loop}: back to normal`);
      problems.delete(loop);
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      const problem = describeError(error);
      if (problems.get(loop) !== problem) log(`${loop}: ${problem}; retrying`);
      problems.set(loop, problem);
      await sleep(2000, signal);
    }
  };

  let identity: { hostId: string } | null = null;
  while (!identity && !signal.aborted) {
    await attempt("enrol", async () => {
      identity = await establishIdentity(config, client, hostReport, log);
    });
  }
  if (!identity) return;
  // Agents' task-contract calls are relayed as this host.
  gateway?.setTaskRelay(client);
  log(
    `reporting to ${config.CORRAL_CONTROL_PLANE_URL} as ${config.CORRAL_WORKER_NAME} (host ${(identity as { hostId: string }).hostId})`,
  );

  const reconciler = new Reconciler(driver, log, gateway, {
    warmStarts: config.CORRAL_WARM_STARTS,
  });
  const telemetry = new Telemetry(driver, reconciler);
  let heartbeatSeconds = 5;
  // A change that arrives during a pass must not wait for the next resync. It names the
  // tenants it touched, and the next pass walks those alone; the resync walks everything.
  let dirty = false;
  const touched = new Set<string>();
  let resume: () => void = () => {};
  const wake = (tenants: Iterable<string>) => {
    for (const tenantId of tenants) touched.add(tenantId);
    dirty = true;
    resume();
  };

  const heartbeat = async () => {
    while (!signal.aborted) {
      await attempt("heartbeat", async () => {
        heartbeatSeconds = (await client.heartbeat(await hostReport())).heartbeatSeconds;
      });
      await sleep(heartbeatSeconds * 1000, signal);
    }
  };
  const watch = async () => {
    let version = -1;
    while (!signal.aborted) {
      await attempt("watch", async () => {
        const next = await client.desired(version, 20);
        if (!next) return;
        version = next.version;
        // Policies, grants and quarantines reach the gateway before any reconcile work.
        gateway?.update(next);
        const changed = changedTenants(reconciler.desired, next);
        reconciler.desired = next;
        wake(changed);
      });
    }
  };
  // Set by a pass that may have changed something, with the tenants it walked (none: all);
  // the report loop then goes at once (at most four times a second).
  let soon = false;
  let soonFor: Set<string> | undefined = new Set();
  let wakeReport: () => void = () => {};
  const reportSoon = (tenants: ReadonlySet<string> | undefined) => {
    if (!tenants) soonFor = undefined;
    else if (soonFor) for (const tenantId of tenants) soonFor.add(tenantId);
    soon = true;
    wakeReport();
  };
  const reconcile = async () => {
    const resyncMs = config.CORRAL_RESYNC_SECONDS * 1000;
    let lastFull = Number.NEGATIVE_INFINITY;
    while (!signal.aborted) {
      dirty = false;
      // Everything at the first pass and once per resync, however busy the changes keep it.
      const everything = Date.now() - lastFull >= resyncMs;
      if (everything) lastFull = Date.now();
      const only = everything ? undefined : new Set(touched);
      touched.clear();
      try {
        if (!only || only.size > 0) await reconciler.pass(only);
      } catch (error) {
        log(`reconcile: ${describeError(error)}`);
      }
      // What the pass changed (an agent now running) is told now, not at the next tick.
      reportSoon(only);
      if (dirty) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, lastFull + resyncMs - Date.now()));
        resume = done;
        signal.addEventListener("abort", done, { once: true });
      });
    }
  };
  /** Sends `next` unless it says nothing; a failed send resends everything once reachable. */
  const send = async (next: ReportRequest, egress?: EgressReport) => {
    const whole = egress ? { ...next, egress } : next;
    // Nothing to say: the heartbeat already tells the control plane this host is alive
    // (a thousand quiet hosts' empty reports were most of its requests, #15).
    if (isEmptyReport(whole)) return;
    try {
      await client.report(whole);
    } catch (error) {
      telemetry.reset();
      if (egress) gateway?.recorder.restore(egress);
      throw error;
    }
  };
  const report = async () => {
    let lastFull = 0;
    while (!signal.aborted) {
      // After a pass, the tenants it walked; every 2 s, everyone.
      const due = Date.now() - lastFull >= 2000;
      const only = soon && !due ? soonFor : undefined;
      if (!only) lastFull = Date.now();
      soon = false;
      soonFor = new Set();
      await attempt("report", async () => {
        const states = await telemetry.states(only);
        await send(states, gateway?.recorder.drain());
      });
      if (soon) {
        await sleep(250, signal);
        continue;
      }
      await sleep(Math.max(0, lastFull + 2000 - Date.now()), signal, (wake) => {
        wakeReport = wake;
      });
    }
  };
  const samples = async () => {
    while (!signal.aborted) {
      await attempt("samples", async () => send(await telemetry.samples()));
      await sleep(2000, signal);
    }
  };
  await Promise.all([heartbeat(), watch(), reconcile(), report(), samples()]);
}

/** Tenants whose desired sandbox differs between two desired states (added, gone or changed). */
export function changedTenants(before: DesiredState | null, after: DesiredState): Set<string> {
  const was = new Map((before?.sandboxes ?? []).map((s) => [s.tenantId, JSON.stringify(s)]));
  const changed = new Set<string>();
  for (const s of after.sandboxes) {
    if (was.get(s.tenantId) !== JSON.stringify(s)) changed.add(s.tenantId);
    was.delete(s.tenantId);
  }
  for (const tenantId of was.keys()) changed.add(tenantId);
  return changed;
}

/** Waits `ms`, or less if aborted or woken early through the function handed to `onWake`. */
function sleep(
  ms: number,
  signal: AbortSignal,
  onWake?: (wake: () => void) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    onWake?.(done);
  });
}
