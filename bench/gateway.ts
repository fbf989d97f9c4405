// The egress gateway under the stopwatch, on loopback only, in one run:
//   latency     sequential small JSON requests to a loopback upstream through the gateway
//               (absolute-form over the tenant's socket, the agent's grant adding its key:
//               the path a model call takes) against the same requests sent straight to it;
//   throughput  requests/s from concurrent clients for a fixed time, both ways, with errors;
//   first byte  of a server-sent stream (first event at once, more over ~200 ms), both ways;
//   memory      the gateway process's RSS idle and at its peak under the throughput load.
// The gateway runs in a child process (bench/gateway-child.ts): on a worker host it is apart
// from the agents calling it, so load generator and gateway compete for the CPUs honestly.
// A bare Node forward proxy (bench/gateway-floor-child.ts), also in a child, is measured the
// same way as a reference: it is what any extra hop costs, so what the gateway costs beyond
// it is the gateway's own work.
// Sizes: BENCH_GATEWAY_REQUESTS (default 2000), BENCH_GATEWAY_CLIENTS (16),
// BENCH_GATEWAY_SECONDS (5), BENCH_GATEWAY_STREAMS (200). BENCH_GATEWAY_PROFILE=<folder>
// writes the gateway child's CPU profile there (node --cpu-prof), for when a goal is missed.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { proxyAuth } from "../worker/gateway/test-kit.ts";
import { median, p95 } from "./stats.ts";

const requests = Number(process.env.BENCH_GATEWAY_REQUESTS ?? 2000);
const clients = Number(process.env.BENCH_GATEWAY_CLIENTS ?? 16);
const seconds = Number(process.env.BENCH_GATEWAY_SECONDS ?? 5);
const streams = Number(process.env.BENCH_GATEWAY_STREAMS ?? 200);
const profileDir = process.env.BENCH_GATEWAY_PROFILE;
const warmupRequests = 200;
// Streams last ~250 ms each; run back to back they would take minutes. Lanes overlap them,
// and since a stream is idle between events the overlap costs each lane next to nothing.
const streamLanes = 10;
const requestTimeoutMs = 10_000;

const secret = `sk-bench-${randomBytes(24).toString("hex")}`;
const dir = mkdtempSync(path.join(os.tmpdir(), "corral-bench-gateway-"));
const here = path.dirname(fileURLToPath(import.meta.url));
const children: ChildProcess[] = [];

// A bench must end by itself: if anything hangs, stop the children and say so.
const watchdog = setTimeout(() => {
  console.error("gateway bench: still running after 180 s; stopping");
  for (const child of children) child.kill("SIGKILL");
  process.exit(1);
}, 180_000);
watchdog.unref();

// --- The upstream: a model API's shape, on loopback --------------------------------------

const json = JSON.stringify({
  id: "msg_bench",
  type: "message",
  content: [{ type: "text", text: "ok" }],
});
const events = ["data: 0\n\n", "data: 1\n\n", "data: 2\n\n", "data: 3\n\n", "data: 4\n\n"];
/** Requests that arrived carrying the grant's key: proof that the gateway added it. */
let keyed = 0;
const upstream = http.createServer((req, res) => {
  if (req.headers["x-api-key"] === secret) keyed++;
  req.resume();
  if (req.url === "/stream") {
    // Headers and the first event at once, then one event every 50 ms, like a model's tokens.
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.write(events[0]);
    let next = 1;
    const timer = setInterval(() => {
      if (next < events.length - 1) res.write(events[next++]);
      else {
        clearInterval(timer);
        res.end(events[next]);
      }
    }, 50);
    res.once("close", () => clearInterval(timer));
    return;
  }
  res.writeHead(200, { "content-type": "application/json", "content-length": json.length });
  res.end(json);
});
// Longer than any pause between phases, so no idle keep-alive socket is closed mid-reuse.
upstream.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
const port = (upstream.address() as AddressInfo).port;
const expectedBytes: Record<string, number> = {
  "/": json.length,
  "/stream": events.join("").length,
};

// --- Clients ------------------------------------------------------------------------------

interface Route {
  name: string;
  /** The proxy's process, when the route has one: its RSS and CPU are read from /proc. */
  pid?: number;
  /** Keep-alive, as an agent's HTTP library keeps its connections. */
  agent: http.Agent;
  /** Set for a proxy: requests go to it in absolute form over this socket. */
  socketPath?: string;
  auth?: string;
  sent: number;
  errors: number;
  firstError?: string;
  reused: number;
  latency: number[];
  firstByte: number[];
  /** Under the throughput load: requests/s, and the proxy's RSS before and at peak, CPU used. */
  rate: number;
  rssIdleKb: number;
  rssPeakKb: number;
  cpuMsPerRequest: number;
}

function route(name: string, proxy?: { pid: number; socketPath: string; auth?: string }): Route {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(clients, streamLanes) });
  return {
    name,
    agent,
    ...proxy,
    sent: 0,
    errors: 0,
    reused: 0,
    latency: [],
    firstByte: [],
    rate: 0,
    rssIdleKb: 0,
    rssPeakKb: 0,
    cpuMsPerRequest: 0,
  };
}

interface Sample {
  ms: number;
  firstByteMs: number;
}

/** One GET of `pathname`, read to its end; null (and counted) if it fails in any way. */
function send(r: Route, pathname: string): Promise<Sample | null> {
  r.sent++;
  const fail = (why: string) => {
    r.errors++;
    r.firstError ??= why;
    return null;
  };
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request(
      r.socketPath
        ? {
            socketPath: r.socketPath,
            path: `http://localhost:${port}${pathname}`,
            headers: {
              host: `localhost:${port}`,
              ...(r.auth && { "proxy-authorization": r.auth }),
            },
            agent: r.agent,
          }
        : { host: "localhost", port, path: pathname, agent: r.agent },
    );
    req.setTimeout(requestTimeoutMs, () => req.destroy(new Error("no answer in time")));
    req.on("error", (error) => resolve(fail(error.message)));
    req.on("response", (res) => {
      let firstByteMs = 0;
      let bytes = 0;
      res.on("data", (chunk: Buffer) => {
        if (bytes === 0) firstByteMs = performance.now() - started;
        bytes += chunk.length;
      });
      res.on("error", (error) => resolve(fail(error.message)));
      res.on("end", () => {
        if (req.reusedSocket) r.reused++;
        if (res.statusCode !== 200) resolve(fail(`status ${res.statusCode}`));
        else if (bytes !== expectedBytes[pathname]) resolve(fail(`${bytes} bytes`));
        else resolve({ ms: performance.now() - started, firstByteMs });
      });
    });
    req.end();
  });
}

/** `clients` loops sending back to back for `ms`; returns requests/s completed. */
async function load(r: Route, ms: number): Promise<number> {
  let done = 0;
  const started = performance.now();
  const end = started + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) if (await send(r, "/")) done++;
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

// --- Children and /proc -------------------------------------------------------------------

async function startChild(script: string, args: string[], nodeArgs: string[] = []) {
  const child = spawn(
    process.execPath,
    [...nodeArgs, "--import", "tsx", path.join(here, script), ...args],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  children.push(child);
  // The first line says it is up; any later ones are kept for the report.
  const lines: string[] = [];
  let up = false;
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      for (let end = out.indexOf("\n"); end !== -1; end = out.indexOf("\n")) {
        const line = out.slice(0, end);
        out = out.slice(end + 1);
        if (!up) {
          up = true;
          resolve(JSON.parse(line));
        } else lines.push(line);
      }
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}) before it was up`)));
    setTimeout(() => reject(new Error(`${script} was not up in 30 s`)), 30_000).unref();
  });
  return { pid: child.pid as number, ready, lines };
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A /proc/<pid>/status figure in kB (VmRSS: resident now, VmHWM: its peak so far). */
function procKb(pid: number, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? Number.NaN);
}

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) || 100;
/** The machine's CPU time so far, all CPUs together, in ms: total and busy (not idle). */
function machineMs(): { total: number; busy: number } {
  const ticks = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { total: (total * 1000) / ticksPerSecond, busy: ((total - idle) * 1000) / ticksPerSecond };
}

/** CPU time (user + system) the process has used, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the name come state (field 3), ...; utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

// --- The run ------------------------------------------------------------------------------

try {
  // The gateway child reports its own warnings (see gateway-child.ts) instead of printing them.
  const gatewayChild = await startChild(
    "gateway-child.ts",
    [dir, secret],
    ["--no-warnings", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
  );
  const floorChild = await startChild("gateway-floor-child.ts", [dir]);
  const { socketPath, agentId, token } = gatewayChild.ready;
  const direct = route("direct");
  const gateway = route("gateway", {
    pid: gatewayChild.pid,
    socketPath: socketPath as string,
    auth: proxyAuth(agentId as string, token as string),
  });
  const floor = route("bare proxy", {
    pid: floorChild.pid,
    socketPath: floorChild.ready.socketPath as string,
  });
  const routes = [direct, gateway, floor];
  const rssFreshKb = procKb(gatewayChild.pid, "VmRSS");
  // Other work on the machine skews every figure here; the report says how much there was.
  const loadAtStart = os.loadavg()[0] ?? 0;
  const machineBefore = machineMs();
  const ourCpuBefore = process.cpuUsage();
  const childCpuBefore = cpuMs(gatewayChild.pid) + cpuMs(floorChild.pid);

  // Latency: the routes take turns request by request, so drift (frequency, other work on
  // the machine) lands on all of them alike. The warm-up lets V8 compile the hot paths.
  for (let i = 0; i < warmupRequests; i++) for (const r of routes) await send(r, "/");
  for (const r of routes) r.reused = 0;
  for (let i = 0; i < requests; i++)
    for (const r of routes) {
      const sample = await send(r, "/");
      if (sample) r.latency.push(sample.ms);
    }
  // Each route should have kept one connection for all of them, as a real client would.
  const reuse = routes.map((r) => `${r.name} ${Math.round((r.reused / requests) * 100)}%`);

  // Throughput, one route at a time (they would share the CPUs otherwise), each after a
  // short warm-up that opens its `clients` connections. A proxy's RSS is sampled while it is
  // loaded, and its CPU time counted.
  for (const r of routes) {
    await load(r, 500);
    const pid = r.pid;
    if (pid === undefined) {
      r.rate = await load(r, seconds * 1000);
      continue;
    }
    r.rssIdleKb = procKb(pid, "VmRSS");
    r.rssPeakKb = r.rssIdleKb;
    const sampler = setInterval(() => {
      r.rssPeakKb = Math.max(r.rssPeakKb, procKb(pid, "VmRSS"));
    }, 50);
    const cpuBefore = cpuMs(pid);
    const doneBefore = r.sent - r.errors;
    r.rate = await load(r, seconds * 1000);
    r.cpuMsPerRequest = (cpuMs(pid) - cpuBefore) / Math.max(1, r.sent - r.errors - doneBefore);
    clearInterval(sampler);
    r.rssPeakKb = Math.max(r.rssPeakKb, procKb(pid, "VmRSS"));
  }

  // Time to the first body byte of a stream; each lane takes the routes in turn.
  await Promise.all(
    Array.from({ length: streamLanes }, async (_, lane) => {
      for (let i = lane; i < streams; i += streamLanes)
        for (const r of routes) {
          const sample = await send(r, "/stream");
          if (sample) r.firstByte.push(sample.firstByteMs);
        }
    }),
  );

  const machine = machineMs();
  const ourCpu = process.cpuUsage(ourCpuBefore);
  const oursMs =
    (ourCpu.user + ourCpu.system) / 1000 +
    cpuMs(gatewayChild.pid) +
    cpuMs(floorChild.pid) -
    childCpuBefore;
  const spanMs = machine.total - machineBefore.total;
  const busyShare = (machine.busy - machineBefore.busy) / spanMs;
  const othersShare = Math.max(0, machine.busy - machineBefore.busy - oursMs) / spanMs;
  const rssHwmKb = procKb(gatewayChild.pid, "VmHWM");

  // Every request through the gateway reached the upstream with the key the grant adds.
  const carried = gateway.sent - gateway.errors;
  if (keyed !== carried)
    throw new Error(`gateway bench: ${keyed} of ${carried} requests arrived with the key`);

  // --- The report -------------------------------------------------------------------------
  const us = (ms: number) => `${Math.round(ms * 1000)} µs`;
  const msOf = (ms: number) => `${ms.toFixed(2)} ms`;
  const perSecond = (n: number) => `${Math.round(n)}/s`;
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  const times = (ours: number, base: number) => `${(ours / base).toFixed(2)}×`;
  type Row = [string, string, string, string, string, string];
  const rows: Row[] = [["figure", "ours (gateway)", "baseline", "ratio", "goal", "met?"]];
  const row = (
    figure: string,
    ours: number,
    base: number,
    show: (v: number) => string,
    goal?: { at: number; most: boolean },
  ) => {
    const ratio = ours / base;
    const met = goal && (goal.most ? ratio <= goal.at : ratio >= goal.at);
    rows.push([
      figure,
      show(ours),
      show(base),
      times(ours, base),
      goal ? `${goal.most ? "≤" : "≥"} ${goal.at}×` : "none set",
      goal ? (met ? "met" : "NOT MET") : "",
    ]);
  };
  const latencyGoal = { at: 1.15, most: true };
  row(
    "latency, median (vs direct)",
    median(gateway.latency),
    median(direct.latency),
    us,
    latencyGoal,
  );
  row("latency, p95 (vs direct)", p95(gateway.latency), p95(direct.latency), us, latencyGoal);
  row(`throughput, ${clients} clients (vs direct)`, gateway.rate, direct.rate, perSecond, {
    at: 0.5,
    most: false,
  });
  row(
    "stream first byte, median (vs direct)",
    median(gateway.firstByte),
    median(direct.firstByte),
    msOf,
  );
  row("stream first byte, p95 (vs direct)", p95(gateway.firstByte), p95(direct.firstByte), msOf);
  rows.push([
    "errors, all phases (vs direct)",
    String(gateway.errors),
    String(direct.errors),
    "",
    "0",
    gateway.errors + direct.errors === 0 ? "met" : "NOT MET",
  ]);
  row("gateway RSS, peak under load (vs idle)", gateway.rssPeakKb, gateway.rssIdleKb, mb);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const table = rows.map((r) =>
    `  ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd(),
  );
  const warnings = gatewayChild.lines.map(
    (line) => (JSON.parse(line) as { warning: string }).warning,
  );
  const pct = (share: number) => `${Math.round(share * 100)}%`;
  console.log(
    [
      `gateway bench: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}; ` +
        `${requests} sequential requests, ${clients} clients × ${seconds} s, ${streams} streams (${streamLanes} at a time)`,
      `  machine: load average ${loadAtStart.toFixed(1)} at start; CPUs ${pct(busyShare)} busy during the run, ` +
        `${pct(othersShare)} of them by other processes`,
      ...table,
      `  reference, a bare Node forward proxy in a child (${floor.errors} errors): ` +
        `latency median ${us(median(floor.latency))} (${times(median(floor.latency), median(direct.latency))} direct), ` +
        `p95 ${us(p95(floor.latency))} (${times(p95(floor.latency), p95(direct.latency))}); ` +
        `throughput ${perSecond(floor.rate)} (${times(floor.rate, direct.rate)}); ` +
        `first byte median ${msOf(median(floor.firstByte))} (${times(median(floor.firstByte), median(direct.firstByte))}), ` +
        `p95 ${msOf(p95(floor.firstByte))} (${times(p95(floor.firstByte), p95(direct.firstByte))}); ` +
        `RSS ${mb(floor.rssIdleKb)} → ${mb(floor.rssPeakKb)}`,
      `  gateway vs bare proxy: latency median ${times(median(gateway.latency), median(floor.latency))}, ` +
        `throughput ${times(gateway.rate, floor.rate)}, CPU per request ${us(gateway.cpuMsPerRequest)} vs ${us(floor.cpuMsPerRequest)} ` +
        `(${times(gateway.cpuMsPerRequest, floor.cpuMsPerRequest)})`,
      `  gateway RSS fresh ${mb(rssFreshKb)}, high-water ${mb(rssHwmKb)}; keep-alive reuse in the latency phase: ` +
        `${reuse.join(", ")}; ` +
        `every gateway request reached the upstream with the grant's key (${keyed})`,
      ...warnings.map((warning) => `  gateway warned: ${warning}`),
      ...routes.filter((r) => r.firstError).map((r) => `  first ${r.name} error: ${r.firstError}`),
    ].join("\n"),
  );
  for (const r of routes) r.agent.destroy();
} finally {
  for (const child of children) await stopChild(child);
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  rmSync(dir, { recursive: true, force: true });
}
