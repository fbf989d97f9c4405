// `npm run bench` section "fleet": a thousand simulated hosts and ten thousand agents against
// a real control plane (fleet-scale-sim.ts). BENCH_SHORT=1: 20 hosts and 100 agents. Sizes
// and timings can be changed with BENCH_FLEET_HOSTS, BENCH_FLEET_ORGS, BENCH_FLEET_HEARTBEAT,
// BENCH_FLEET_DEADLINE and BENCH_FLEET_CONTROLLER_MS (see below).
import { cpus } from "node:os";
import { type FleetScaleResult, fullFleet, runFleetScale, shortFleet } from "./fleet-scale-sim.ts";
import { median, p95 } from "./stats.ts";

const base = process.env.BENCH_SHORT === "1" ? shortFleet : fullFleet;
const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const options = {
  ...base,
  hosts: number("BENCH_FLEET_HOSTS", base.hosts),
  orgs: number("BENCH_FLEET_ORGS", base.orgs),
  hostsLost: number("BENCH_FLEET_LOST", base.hostsLost),
  enrolConcurrency: number("BENCH_FLEET_ENROLLING", base.enrolConcurrency),
  heartbeatSeconds: number("BENCH_FLEET_HEARTBEAT", base.heartbeatSeconds),
  deadlineSeconds: number("BENCH_FLEET_DEADLINE", base.deadlineSeconds),
  controllerMs: number("BENCH_FLEET_CONTROLLER_MS", base.controllerMs),
  log: process.env.BENCH_VERBOSE === "1" ? (line: string) => console.log(line) : undefined,
};

const started = performance.now();
const result = await runFleetScale(options);
console.log(describeFleetScale(result, performance.now() - started));

export function describeFleetScale(r: FleetScaleResult, totalMs: number): string {
  const o = r.options;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const ms = (v: number) => `${Math.round(v)} ms`;
  const perSecond = (v: number | undefined) => `${Math.round(v ?? 0)}/s`;
  const req = r.steady.requestsPerSecond;
  const total = Object.values(req).reduce((a, b) => a + b, 0);
  const d = r.steady.db;
  return [
    `fleet bench: ${o.hosts} simulated hosts, ${o.orgs} organisations, ${o.orgs * o.agentsPerOrg} agents (${cpus().length} cores shared; heartbeat ${o.heartbeatSeconds} s, deadline ${o.deadlineSeconds} s, controller every ${o.controllerMs / 1000} s; whole run ${s(totalMs)})`,
    `  enrol              ${r.httpEnrolled} hosts over HTTP in ${s(r.enrolMs)} (${o.enrolConcurrency} at a time); the other ${o.hosts - r.httpEnrolled} in-process in ${s(r.preEnrolMs)}${r.enrolFailures.length ? `; ${r.enrolFailures.length} hosts gave up: ${r.enrolFailures[0]}` : ""}`,
    `  place all sandboxes  ${s(r.placedMs)} (controller), every agent reported running ${s(r.runningMs)}`,
    `  change → host        stop p50 ${ms(median(r.changeMs.stop))}, p95 ${ms(p95(r.changeMs.stop))}; start p50 ${ms(median(r.changeMs.start))}, p95 ${ms(p95(r.changeMs.start))} (${r.changeMs.start.length} samples)`,
    `  steady state         control plane CPU ${(r.steady.cpuCores * 100).toFixed(0)}% of a core for ${perSecond(total)} requests (${Object.entries(
      req,
    )
      .map(([k, v]) => `${k} ${perSecond(v)}`)
      .join(
        ", ",
      )}), ${total ? ((r.steady.cpuCores * 1000) / total).toFixed(2) : "–"} ms CPU/request`,
    `  database             ${perSecond(d.xact_commit)} commits, rows: ${perSecond(d.tup_fetched)} fetched, ${perSecond(d.tup_returned)} returned (scanned), ${perSecond(d.tup_inserted)} inserted, ${perSecond(d.tup_updated)} updated`,
    `  host loss            ${r.loss.hosts} hosts stop at once (${r.loss.sandboxes} sandboxes, ${r.loss.agents} agents): all marked lost ${s(r.loss.lostMs)}, re-placed ${s(r.loss.replacedMs)}, agents running again ${s(r.loss.runningMs)} (goal < 10 s; detection alone is the ${o.deadlineSeconds} s deadline)`,
  ].join("\n");
}
