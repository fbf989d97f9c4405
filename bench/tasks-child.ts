// Run by bench/tasks.ts in its own process, on the throwaway database its environment names
// (DATABASE_URL, AUTH_SECRET, CORRAL_SECRET_KEY). Real: the control plane (the worker API on a
// bare HTTP server, tRPC callers as the API makes them, the database and its notifications),
// a host enrolled with a one-time token, and that host's gateway in a child process
// (bench/tasks-gateway-child.ts) relaying with the host's ControlPlaneClient. Simulated: the
// agents' processes, as SimulatedAgentRuntime clients speaking the task contract over their
// tenant's gateway socket exactly as a runtime in an agent container does.
// Usage: tasks-child <ms the parent spent making the database> <folder for the gateway>
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import {
  type TaskEventInput,
  type TaskForAgent,
  tasksBasePath,
  tasksHost,
} from "../common/task-contract.ts";
import { createSession } from "../server/auth/sessions.ts";
import type { Context } from "../server/core/trpc.ts";
import { db as controlPlaneDb } from "../server/db/client.ts";
import { databaseName } from "../server/db/database.ts";
import { createCaller } from "../server/root-router.ts";
import { enrolTestHost } from "../test/fleet.ts";
import { startWorkerApiServer } from "../test/worker-api-server.ts";
import { proxyAuth } from "../worker/gateway/test-kit.ts";
import { median, p95 } from "./stats.ts";

const dispatchSamples = Number(process.env.BENCH_TASKS_DISPATCH ?? 200);
const eventSamples = Number(process.env.BENCH_TASKS_EVENTS ?? 200);
const agentCount = Math.max(2, Number(process.env.BENCH_TASKS_AGENTS ?? 50));
const burstTasks = Number(process.env.BENCH_TASKS_BURST ?? 200);
const raceSamples = Number(process.env.BENCH_TASKS_RACE ?? 40);
const streamEvents = Number(process.env.BENCH_TASKS_STREAM ?? 100);
const setupMsInParent = Number(process.argv[2] ?? 0);
const warmups = 10;
/**
 * How long an agent has been waiting when its task is queued, in the dispatch phase: long
 * enough (past the p95 of a /next that needs no wait, on a busy machine) for its long-poll
 * to be parked on the notification, as an agent that sits idle between tasks is. The race
 * phase queues while it is still asking.
 */
const idleMs = 40;
/** How long the watcher has been parked when the next event is posted, in the event phase. */
const parkMs = 20;
/** A sample slower than this waited for a backstop timer, not a notification. */
const backstopMs = 1000;

const run = randomBytes(3).toString("hex");
const here = path.dirname(fileURLToPath(import.meta.url));
/** The gateway's state and the tenant's socket; the parent made it and removes it. */
const dir = process.argv[3] ?? "";
if (!dir) throw new Error("usage: tasks-child <setup ms> <folder>");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const problems: string[] = [];
const problem = (what: string) => {
  problems.push(what);
};

// --- The simulated part: agent runtimes ----------------------------------------------------

/** An event as a runtime makes it; the runtime numbers it when it posts. */
type Unnumbered<E = TaskEventInput> = E extends unknown ? Omit<E, "seq"> : never;

interface Reply {
  status: number;
  body: unknown;
  /** performance.now() when the answer had fully arrived. */
  at: number;
  ms: number;
}

/**
 * SIMULATED: what an agent's runtime process does, and nothing more. It speaks the task
 * contract v1 to its gateway over the tenant's unix socket, in absolute form to the reserved
 * host, with its gateway token in Proxy-Authorization, over a keep-alive connection as an
 * HTTP library would: POST /next (long-poll) with the runId it chose at start, then POST
 * /tasks/<id>/events.
 */
class SimulatedAgentRuntime {
  readonly runId = `sim-${randomBytes(4).toString("hex")}`;
  private readonly connections = new http.Agent({ keepAlive: true, maxSockets: 2 });
  private seq = 0;

  constructor(
    readonly agentId: string,
    private readonly socketPath: string,
    private readonly auth: string,
  ) {}

  /** POST /next: the next task (200), or 204 after `waitSeconds` with none. */
  next(waitSeconds: number): Promise<Reply & { task?: TaskForAgent }> {
    return this.post("/next", { runId: this.runId, waitSeconds }, (waitSeconds + 20) * 1000).then(
      (reply) => ({
        ...reply,
        ...(reply.status === 200 && { task: (reply.body as { task: TaskForAgent }).task }),
      }),
    );
  }

  /**
   * POST /tasks/<id>/events, numbering them as a runtime does (seq from 1 per task). Like the
   * runtime's event pump (infra/images/agent-runtime/src/contract.ts), an answer other than
   * 200, 404 or 409 is retried after 250 ms, doubling; each such answer is counted as an error.
   * `ms` is until the events were taken, retries included.
   */
  async events(taskId: string, events: Unnumbered[], fresh = false): Promise<Reply> {
    if (fresh) this.seq = 0;
    const numbered = events.map((e) => ({ ...e, seq: ++this.seq }));
    const started = performance.now();
    let delayMs = 250;
    for (let attempt = 1; ; attempt++) {
      const reply = await this.post(`/tasks/${taskId}/events`, { events: numbered }, 20_000);
      if ([200, 404, 409].includes(reply.status) || attempt === 6)
        return { ...reply, ms: reply.at - started };
      check(reply, 200, "events post (retried, as a runtime does)");
      await sleep(delayMs * (0.75 + Math.random() / 2));
      delayMs = Math.min(delayMs * 2, 5000);
    }
  }

  close() {
    this.connections.destroy();
  }

  private post(pathname: string, body: unknown, timeoutMs: number): Promise<Reply> {
    const payload = JSON.stringify(body);
    const started = performance.now();
    return new Promise((resolve) => {
      const done = (status: number, answer: unknown) => {
        const at = performance.now();
        resolve({ status, body: answer, at, ms: at - started });
      };
      const req = http.request({
        socketPath: this.socketPath,
        agent: this.connections,
        method: "POST",
        path: `http://${tasksHost}${tasksBasePath}${pathname}`,
        headers: {
          host: tasksHost,
          "proxy-authorization": this.auth,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error("no answer in time")));
      req.on("error", (error) => done(0, { error: error.message }));
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", (error) => done(0, { error: error.message }));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = null;
          try {
            parsed = text ? JSON.parse(text) : null;
          } catch {
            parsed = { error: text.slice(0, 200) };
          }
          done(res.statusCode ?? 0, parsed);
        });
      });
      req.end(payload);
    });
  }
}

const check = (reply: Reply, status: number, what: string) => {
  if (reply.status !== status)
    problem(`${what}: answered ${reply.status} ${JSON.stringify(reply.body).slice(0, 160)}`);
  return reply.status === status;
};

// --- Machine load ---------------------------------------------------------------------------

const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) || 100;
const ticksToMs = (ticks: number) => (ticks * 1000) / ticksPerSecond;

/** All CPUs' time since boot, and the part of it not idle, in ms. */
function machineCpu(): { total: number; busy: number } {
  const line = readFileSync("/proc/stat", "utf8").slice(0, 400).split("\n")[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { total: ticksToMs(total), busy: ticksToMs(total - idle) };
}

/** A process's user + system CPU time in ms, or null once it is gone. */
function processCpu(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ticksToMs(Number(after[11]) + Number(after[12]));
  } catch {
    return null;
  }
}

/**
 * PostgreSQL backends serving this run's database (their process title names it), with the
 * CPU each had used when last seen; sampled often, since pooled connections come and go.
 */
class BackendCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly database: string) {}

  start() {
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), 200);
  }

  /** CPU ms our backends used since start (a backend gone between samples loses < 200 ms). */
  stop(): number {
    clearInterval(this.timer);
    this.sample(false);
    let used = 0;
    for (const [pid, cpu] of this.last) used += cpu - (this.first.get(pid) ?? 0);
    return used;
  }

  private sample(initial: boolean) {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      let title = "";
      try {
        title = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      } catch {
        continue;
      }
      if (!title.startsWith("postgres:") || !title.includes(` ${this.database} `)) continue;
      const cpu = processCpu(pid);
      if (cpu === null) continue;
      if (initial) this.first.set(pid, cpu);
      this.last.set(pid, cpu);
    }
  }
}

/**
 * What this run's database backends are doing, sampled from pg_stat_activity on a connection
 * of its own: running, waiting for a lock (the audit chain's advisory lock apart), for WAL or
 * other I/O, or holding a transaction open while the control plane works out its next
 * statement. Averages are backends per sample.
 */
class BackendWaits {
  private readonly client: pg.Client;
  private readonly totals = new Map<string, number>();
  private samples = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(url: string) {
    this.client = new pg.Client({ connectionString: url });
  }

  async start() {
    await this.client.connect();
    this.timer = setInterval(() => void this.sample(), 25);
  }

  async stop(): Promise<Record<string, number>> {
    clearInterval(this.timer);
    while (this.busy) await sleep(5);
    await this.client.end();
    return Object.fromEntries(
      [...this.totals].map(([what, n]) => [what, n / Math.max(1, this.samples)]),
    );
  }

  private async sample() {
    if (this.busy) return;
    this.busy = true;
    try {
      const { rows } = await this.client.query<{ what: string; n: number }>(`
        SELECT CASE
                 WHEN wait_event_type = 'Lock' AND wait_event = 'advisory' THEN 'advisory lock'
                 WHEN wait_event_type = 'Lock' THEN 'row or other lock'
                 WHEN wait_event_type IN ('IO', 'LWLock') THEN 'WAL or I/O'
                 WHEN state = 'idle in transaction' THEN 'in a transaction, waiting for the app'
                 WHEN state = 'active' THEN 'running'
                 ELSE 'other'
               END AS what, count(*)::int AS n
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
        GROUP BY 1`);
      this.samples++;
      for (const { what, n } of rows) this.totals.set(what, (this.totals.get(what) ?? 0) + n);
    } finally {
      this.busy = false;
    }
  }
}

// --- The control plane, a host, an organisation with agents --------------------------------

const database = controlPlaneDb();
const { hostId, credential } = await enrolTestHost(database, `bench-${run}`, {
  labels: { bench: run },
});
const user = await database.user.create({
  data: { email: `bench-${run}@example.test`, name: "Bench", emailVerifiedAt: new Date() },
});
const org = await database.organization.create({
  data: {
    slug: `bench-${run}`,
    name: "Bench",
    placementLabels: { bench: run },
    agentLimit: agentCount,
    cpuQuotaMillis: agentCount * 100,
    memoryQuotaMb: agentCount * 64,
    memberships: { create: { userId: user.id, role: "OWNER" } },
  },
});
// What a tRPC procedure sees for a request by the owner, signed in with a real session.
const request = { ipAddress: "127.0.0.1", userAgent: "corral-bench", requestId: `bench-${run}` };
const sessionId = await database.$transaction((tx) => createSession(tx, user.id, 1, request));
const context: Context = {
  db: database,
  session: {
    id: sessionId,
    user: { id: user.id, email: user.email, name: user.name, emailVerified: true },
  },
  request,
};
const api = createCaller(context);
const agents: { id: string; name: string }[] = [];
for (let i = 0; i < agentCount; i++)
  agents.push(
    await api.agents.create({
      orgSlug: org.slug,
      name: `sim-${String(i).padStart(2, "0")}`,
      image: "corral/agent-base:latest",
      cpuMillis: 100,
      memoryMb: 64,
      workspaceMb: 64,
      start: true,
    }),
  );
const sandbox = await database.sandbox.findUnique({ where: { orgId: org.id } });
if (sandbox?.hostId !== hostId)
  throw new Error(`tasks bench: the sandbox was not placed (${sandbox?.reason ?? "no sandbox"})`);

const workerApi = await startWorkerApiServer();
const gateway = spawn(
  process.execPath,
  ["--import", "tsx", path.join(here, "tasks-gateway-child.ts"), dir, workerApi.url, credential],
  { stdio: ["pipe", "pipe", "inherit"] },
);
const ready = await new Promise<{
  sockets: Record<string, string>;
  tokens: Record<string, string>;
}>((resolve, reject) => {
  let out = "";
  gateway.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    const end = out.indexOf("\n");
    if (end !== -1) resolve(JSON.parse(out.slice(0, end)));
  });
  gateway.once("exit", (code) => reject(new Error(`the gateway child exited (${code})`)));
  setTimeout(() => reject(new Error("the gateway child was not up in 30 s")), 30_000).unref();
});
const socketPath = ready.sockets[org.id];
if (!socketPath) throw new Error("tasks bench: the gateway opened no door for the organisation");
const runtimes = agents.map((agent) => {
  const token = ready.tokens[agent.id];
  if (!token) throw new Error(`tasks bench: no gateway token for ${agent.name}`);
  return new SimulatedAgentRuntime(agent.id, socketPath, proxyAuth(agent.id, token));
});

async function stopGateway(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin?.end();
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

// --- The phases -----------------------------------------------------------------------------

const create = (agentId: string, prompt: string) =>
  api.tasks.create({ orgSlug: org.slug, agentId, prompt });

interface DispatchSample {
  ms: number;
  createMs: number;
}

/**
 * One task to an agent already waiting on /next: queued `idle` ms after it asked, timed from
 * just before tasks.create until the runtime has the answer; then its result, and (as the
 * baseline) the same runtime's /next that needs no wait.
 */
async function dispatchOnce(
  runtime: SimulatedAgentRuntime,
  idle: () => number,
): Promise<(DispatchSample & { baseline: number }) | null> {
  const waiting = runtime.next(20);
  await sleep(idle());
  const t0 = performance.now();
  const task = await create(runtime.agentId, "dispatch");
  const createMs = performance.now() - t0;
  const answer = await waiting;
  if (!check(answer, 200, "dispatch /next")) {
    // As the runtime does, it asks again a second later; the task is finished, not measured.
    await sleep(1000);
    const again = await runtime.next(5);
    if (again.task) await runtime.events(again.task.id, [{ type: "result", text: "done" }], true);
    return null;
  }
  if (answer.task?.id !== task.id) problem(`dispatch: got ${answer.task?.id}, queued ${task.id}`);
  const result = await runtime.events(task.id, [{ type: "result", text: "done" }], true);
  check(result, 200, "dispatch result");
  const base = await runtime.next(0);
  check(base, 204, "baseline /next");
  return { ms: answer.at - t0, createMs, baseline: base.ms };
}

/**
 * Every runtime waiting on /next; `total` tasks over them queued at once, as concurrent
 * tasks.create calls. Each runtime posts its result the moment it has a task, then asks
 * again, until it has had its share. Times are from the moment the creates were made.
 */
async function burst(total: number, label: string) {
  const owed = new Map(runtimes.map((r) => [r.agentId, 0]));
  const plan = Array.from({ length: total }, (_, i) => {
    const runtime = runtimes[i % runtimes.length] as SimulatedAgentRuntime;
    owed.set(runtime.agentId, (owed.get(runtime.agentId) ?? 0) + 1);
    return runtime.agentId;
  });
  const received = new Map<string, number>();
  const settled = new Map<string, number>();
  const createdAt = new Map<string, number>();
  const resultMs: number[] = [];
  const errorsBefore = problems.length;
  const deadline = performance.now() + 20_000;
  const working = runtimes.map(async (runtime) => {
    const left = () => owed.get(runtime.agentId) ?? 0;
    let retryMs = 1000;
    while (left() > 0 && performance.now() < deadline) {
      // Shorter than a runtime's usual wait, so that a share a failed create shrank is noticed.
      const answer = await runtime.next(5);
      if (answer.status === 204) continue;
      if (!check(answer, 200, `${label} /next`) || !answer.task) {
        // As the runtime does: try again after a second, doubling.
        await sleep(retryMs);
        retryMs = Math.min(retryMs * 2, 30_000);
        continue;
      }
      retryMs = 1000;
      if (received.has(answer.task.id)) problem(`${label}: ${answer.task.id} handed out twice`);
      received.set(answer.task.id, answer.at);
      owed.set(runtime.agentId, left() - 1);
      const result = await runtime.events(answer.task.id, [{ type: "result", text: "done" }], true);
      if (check(result, 200, `${label} result`)) {
        settled.set(answer.task.id, result.at);
        resultMs.push(result.ms);
      }
    }
    if (left() > 0) problem(`${label}: ${runtime.agentId} still owed ${left()} at the deadline`);
  });
  // Every long-poll is parked before the tasks come.
  await sleep(300);
  const waits = new BackendWaits(process.env.DATABASE_URL ?? "");
  await waits.start();
  const t0 = performance.now();
  const tasks = await Promise.all(
    plan.map(async (agentId, i) => {
      try {
        const task = await create(agentId, `${label} ${i}`);
        createdAt.set(task.id, performance.now());
        return task;
      } catch (error) {
        owed.set(agentId, (owed.get(agentId) ?? 0) - 1);
        problem(`${label}: tasks.create failed: ${(error as Error).message}`);
        return null;
      }
    }),
  );
  await Promise.all(working);
  const waited = await waits.stop();
  const ids = tasks.flatMap((t) => (t ? [t.id] : []));
  const succeeded = await database.task.count({ where: { id: { in: ids }, status: "SUCCEEDED" } });
  if (succeeded !== total) problem(`${label}: ${succeeded} of ${total} tasks SUCCEEDED`);
  const since = (times: Iterable<number>) => [...times].map((at) => at - t0);
  // When each agent had its first task (woken by a notification), and how long each later
  // one took after the previous result was answered (found at once by the claim).
  const firstPerAgent = new Map<string, number>();
  const handout: { agentId: string; received: number; settled: number }[] = [];
  tasks.forEach((task, i) => {
    const at = task ? received.get(task.id) : undefined;
    if (!task || at === undefined) return;
    const agentId = plan[i] as string;
    firstPerAgent.set(agentId, Math.min(firstPerAgent.get(agentId) ?? at, at));
    handout.push({ agentId, received: at, settled: settled.get(task.id) ?? at });
  });
  const nextGaps: number[] = [];
  for (const agentId of firstPerAgent.keys()) {
    const own = handout
      .filter((h) => h.agentId === agentId)
      .sort((a, b) => a.received - b.received);
    for (let k = 1; k < own.length; k++)
      nextGaps.push((own[k]?.received ?? 0) - (own[k - 1]?.settled ?? 0));
  }
  return {
    label,
    total,
    dispatch: since(received.values()),
    created: since(createdAt.values()),
    lastSettled: Math.max(...since(settled.values())),
    firsts: since(firstPerAgent.values()),
    nextGaps,
    resultMs,
    waited,
    errors: problems.length - errorsBefore,
  };
}

const loadAtStart = os.loadavg()[0] ?? 0;
const machineBefore = machineCpu();
const ourCpuBefore = process.cpuUsage();
const gatewayCpuBefore = processCpu(gateway.pid as number) ?? 0;
const backends = new BackendCpu(databaseName(process.env.DATABASE_URL ?? ""));
backends.start();
const phaseStarted = performance.now();
const phaseTimes: [string, number][] = [];
let phaseMark = phaseStarted;
/** Notes how long the phase that just ended took. */
const phaseDone = (what: string) => {
  const now = performance.now();
  phaseTimes.push([what, now - phaseMark]);
  phaseMark = now;
};

try {
  // Every runtime reaches the control plane through the gateway, and nothing is queued.
  for (const runtime of runtimes) check(await runtime.next(0), 204, "first /next");

  // 1. Dispatch to a waiting agent, sequentially; the first ones warm up. Ten agents take
  // turns (each sample and its baseline on the same one), so that no agent nears the worker
  // API's per-agent rate limit; the events phases use another.
  const [two, ...others] = runtimes as [SimulatedAgentRuntime, ...SimulatedAgentRuntime[]];
  const dispatchers = others.slice(0, 10);
  const dispatcher = (i: number) => dispatchers[i % dispatchers.length] as SimulatedAgentRuntime;
  const dispatch: DispatchSample[] = [];
  const dispatchBase: number[] = [];
  for (let i = 0; i < warmups + dispatchSamples; i++) {
    const sample = await dispatchOnce(dispatcher(i), () => idleMs);
    if (sample && i >= warmups) {
      dispatch.push(sample);
      dispatchBase.push(sample.baseline);
    }
  }

  phaseDone("dispatch");

  // 1b. The same, but queued while the agent is still asking (0–40 ms after): a notification
  // sent between the claim finding nothing and the wait starting would not be seen.
  const race: DispatchSample[] = [];
  for (let i = 0; i < raceSamples; i++) {
    const sample = await dispatchOnce(dispatcher(i), () => Math.random() * 40);
    if (sample) race.push(sample);
  }

  phaseDone("racing");

  // 2. Events: one task running on another agent, followed by a tasks.watch subscriber.
  const watched = await create(two.agentId, "events");
  const claimed = await two.next(0);
  if (claimed.task?.id !== watched.id) throw new Error("tasks bench: the watched task went astray");
  const stream = await api.tasks.watch({ orgSlug: org.slug, taskId: watched.id });
  const updates = stream[Symbol.asyncIterator]();
  await updates.next(); // the task as it is, before any event
  /** performance.now() when the subscriber has an update carrying event `seq`. */
  const seen = async (seq: number): Promise<number> => {
    for (;;) {
      const update = await updates.next();
      if (update.done) {
        const task = await database.task.findUnique({ where: { id: watched.id } });
        throw new Error(`tasks bench: the watch ended early (the task is ${task?.status})`);
      }
      if (update.value.events.some((e) => e.seq >= seq)) return performance.now();
    }
  };
  const eventMs: number[] = [];
  const postMs: number[] = [];
  let seq = 0;
  for (let i = 0; i < warmups + eventSamples; i++) {
    const arrival = seen(++seq);
    // The subscriber is parked on its notification again, as a page following a transcript is.
    await sleep(parkMs);
    const t0 = performance.now();
    const post = await two.events(watched.id, [{ type: "text", text: `line ${seq}` }], seq === 1);
    check(post, 200, "event post");
    const at = await Promise.race([arrival, sleep(10_000).then(() => null)]);
    if (at === null) throw new Error(`tasks bench: event ${seq} did not reach the watcher in 10 s`);
    if (i >= warmups) {
      eventMs.push(at - t0);
      postMs.push(post.ms);
    }
  }
  const finalArrival = seen(++seq);
  check(await two.events(watched.id, [{ type: "result", text: "done" }]), 200, "event result");
  if ((await Promise.race([finalArrival, sleep(10_000).then(() => null)])) === null)
    throw new Error("tasks bench: the result did not reach the watcher in 10 s");
  await updates.return?.(undefined);

  phaseDone("events");

  // 2b. Events back to back, as a runtime streams a transcript, each post as soon as the last
  // was answered; a second subscriber notes when each event first reaches it. An event whose
  // own notification came while the subscriber was reading (not parked) arrives only with a
  // later one's; the last one, with the 5 s backstop.
  const streamed = await create(two.agentId, "stream");
  if ((await two.next(0)).task?.id !== streamed.id)
    throw new Error("tasks bench: the streamed task went astray");
  const follow = (await api.tasks.watch({ orgSlug: org.slug, taskId: streamed.id }))[
    Symbol.asyncIterator
  ]();
  await follow.next();
  const firstSeen = new Map<number, number>();
  let streamDone: () => void = () => {};
  const allSeen = new Promise<void>((resolve) => {
    streamDone = resolve;
  });
  void (async () => {
    for (;;) {
      const update = await follow.next();
      if (update.done) return;
      const now = performance.now();
      for (const e of update.value.events) if (!firstSeen.has(e.seq)) firstSeen.set(e.seq, now);
      if (firstSeen.has(streamEvents + 1)) return streamDone();
    }
  })();
  const postedAt: number[] = [];
  const streamPostMs: number[] = [];
  for (let s = 1; s <= streamEvents + 1; s++) {
    postedAt[s] = performance.now();
    const event = s <= streamEvents ? { type: "text" as const, text: `token ${s}` } : null;
    const post = await two.events(
      streamed.id,
      [event ?? { type: "result", text: "done" }],
      s === 1,
    );
    check(post, 200, "streamed event post");
    if (event) streamPostMs.push(post.ms);
  }
  await Promise.race([allSeen, sleep(10_000)]);
  const streamMs: number[] = [];
  let lateWakes = 0;
  for (let s = 1; s <= streamEvents + 1; s++) {
    const at = firstSeen.get(s);
    if (at === undefined) {
      problem(`stream: event ${s} never reached the watcher`);
      continue;
    }
    streamMs.push(at - (postedAt[s] ?? 0));
    // The next one was posted only after this one was stored, yet this one was seen no earlier.
    if (s <= streamEvents && at === firstSeen.get(s + 1)) lateWakes++;
  }
  const streamLastMs = streamMs.at(-1) ?? Number.NaN;

  phaseDone("streamed");
  const sequentialErrors = problems.length;

  // 3. Every agent waiting, given one task each at once; then four each.
  const bursts = [
    await burst(runtimes.length, `${runtimes.length}×1`),
    await burst(burstTasks, `${burstTasks} over ${runtimes.length}`),
  ];
  phaseDone("bursts");

  // --- Load over the phases ---------------------------------------------------------------
  const spanWallMs = performance.now() - phaseStarted;
  const machine = machineCpu();
  const ourCpu = process.cpuUsage(ourCpuBefore);
  const benchMs = (ourCpu.user + ourCpu.system) / 1000;
  const gatewayMs = (processCpu(gateway.pid as number) ?? gatewayCpuBefore) - gatewayCpuBefore;
  const backendMs = backends.stop();
  const spanCpuMs = machine.total - machineBefore.total;
  const busyMs = machine.busy - machineBefore.busy;
  const othersMs = Math.max(0, busyMs - benchMs - gatewayMs - backendMs);
  const [settings] = await database.$queryRaw<{ sync: string; fsync: string }[]>`
    SELECT current_setting('synchronous_commit') AS sync, current_setting('fsync') AS fsync`;

  // --- The report -------------------------------------------------------------------------
  const msOf = (ms: number) => `${ms.toFixed(1)} ms`;
  const pct = (share: number) => `${Math.round(share * 100)}%`;
  const slow = (samples: number[]) => samples.filter((ms) => ms > backstopMs).length;
  type Row = [string, string, string, string, string, string];
  const rows: Row[] = [["figure", "ours", "baseline", "ratio", "goal", "met?"]];
  const row = (figure: string, ours: number, base: number | null, goalMs?: number) => {
    rows.push([
      figure,
      msOf(ours),
      base === null ? "—" : msOf(base),
      base === null ? "" : `${(ours / base).toFixed(2)}×`,
      goalMs === undefined ? "none set" : `≤ ${goalMs} ms`,
      goalMs === undefined ? "" : ours <= goalMs ? "met" : "NOT MET",
    ]);
  };
  const dispatchMs = dispatch.map((s) => s.ms);
  row("dispatch, median (vs /next, no wait)", median(dispatchMs), median(dispatchBase), 50);
  row("dispatch, p95 (vs /next, no wait)", p95(dispatchMs), p95(dispatchBase));
  const raceMs = race.map((s) => s.ms);
  row("dispatch as agent asks, median (vs /next, no wait)", median(raceMs), median(dispatchBase));
  row("dispatch as agent asks, p95 (vs /next, no wait)", p95(raceMs), p95(dispatchBase));
  row("event → watcher, median (vs its post)", median(eventMs), median(postMs), 100);
  row("event → watcher, p95 (vs its post)", p95(eventMs), p95(postMs));
  row("streamed event → watcher, median (vs post)", median(streamMs), median(streamPostMs));
  row("streamed event → watcher, p95 (vs post)", p95(streamMs), p95(streamPostMs));
  const countRow = (figure: string, n: number) =>
    rows.push([figure, String(n), "", "", "0", n === 0 ? "met" : "NOT MET"]);
  countRow("errors, dispatch and events", sequentialErrors);
  for (const b of bursts) {
    const lastReceived = Math.max(...b.dispatch);
    row(`${b.label}: all received (vs all created)`, lastReceived, Math.max(...b.created));
    row(`${b.label}: dispatch, median (vs created)`, median(b.dispatch), median(b.created));
    row(`${b.label}: dispatch, p95 (vs created)`, p95(b.dispatch), p95(b.created));
    row(`${b.label}: all SUCCEEDED (vs all received)`, b.lastSettled, lastReceived);
    countRow(`${b.label}: errors`, b.errors);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const table = rows.map((r) =>
    `  ${r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd(),
  );
  console.log(
    [
      `tasks bench: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? "unknown"}), Node ${process.version}; ` +
        `${dispatchSamples} dispatches, ${raceSamples} racing, ${eventSamples} events (after ${warmups} warm-ups each), ${streamEvents} streamed, ` +
        `${agentCount} agents given 1 task each at once, then ${burstTasks} tasks over them at once; PostgreSQL synchronous_commit=${settings?.sync}, fsync=${settings?.fsync}`,
      `  SIMULATED: the agents' processes (SimulatedAgentRuntime: /next long-poll and event posts over the tenant's gateway socket); ` +
        `real: tRPC tasks.create/tasks.watch, the worker API, PostgreSQL and NOTIFY, the enrolled host's ControlPlaneClient, the EgressGateway (own process)`,
      `  machine: load average ${loadAtStart.toFixed(1)} at start; over ${(spanWallMs / 1000).toFixed(1)} s of phases the CPUs were ${pct(busyMs / spanCpuMs)} busy: ` +
        `control plane + runtimes ${pct(benchMs / spanCpuMs)}, gateway ${pct(gatewayMs / spanCpuMs)}, our database backends ${pct(backendMs / spanCpuMs)}, ` +
        `other processes ${pct(othersMs / spanCpuMs)}; setup took ${(setupMsInParent / 1000).toFixed(1)} s (database, migrations) + ${(phaseStarted / 1000).toFixed(1)} s (this process, ${agentCount} agents, the gateway); ` +
        `phases: ${phaseTimes.map(([what, ms]) => `${what} ${(ms / 1000).toFixed(1)} s`).join(", ")}`,
      ...table,
      `  of the dispatch, tasks.create itself took median ${msOf(median(dispatch.map((s) => s.createMs)))}, p95 ${msOf(p95(dispatch.map((s) => s.createMs)))}; ` +
        `the dispatched task's result post took median ${msOf(median(postMs))} in the event phase`,
      `  sequential samples over ${backstopMs} ms (a missed notification, caught by the 5 s backstop): dispatch ${slow(dispatchMs)}/${dispatchMs.length}, ` +
        `as agent asks ${slow(raceMs)}/${raceMs.length}, events ${slow(eventMs)}/${eventMs.length}, streamed ${slow(streamMs)}/${streamMs.length}; ` +
        `max: dispatch ${msOf(Math.max(...dispatchMs))}, as agent asks ${msOf(Math.max(...raceMs))}, events ${msOf(Math.max(...eventMs))}, streamed ${msOf(Math.max(...streamMs))}`,
      `  streamed: ${lateWakes} of ${streamEvents} events reached the watcher only together with the next one (their own wake-up missed or late); ` +
        `the final result reached it ${msOf(streamLastMs)} after it was posted`,
      ...bursts.map(
        (b) =>
          `  ${b.label}: the last create returned at ${msOf(Math.max(...b.created))}; each agent's first task arrived at median ${msOf(median(b.firsts))} ` +
          `(first ${msOf(Math.min(...b.firsts))}, last ${msOf(Math.max(...b.firsts))})` +
          (b.nextGaps.length > 0
            ? `; each later one median ${msOf(median(b.nextGaps))} (p95 ${msOf(p95(b.nextGaps))}) after the previous result was answered`
            : "") +
          `; result posts median ${msOf(median(b.resultMs))}, p95 ${msOf(p95(b.resultMs))}; ` +
          `our database backends (the control plane's pool holds 10) on average: ${Object.entries(
            b.waited,
          )
            .filter(([, n]) => n >= 0.05)
            .sort((x, y) => y[1] - x[1])
            .map(([what, n]) => `${n.toFixed(1)} ${what}`)
            .join(", ")}`,
      ),
      ...[...new Set(problems)].slice(0, 8).map((p) => {
        const times = problems.filter((q) => q === p).length;
        return `  problem${times > 1 ? ` (×${times})` : ""}: ${p}`;
      }),
    ].join("\n"),
  );
  if (problems.length > 0) process.exitCode = 1;
} finally {
  for (const runtime of runtimes) runtime.close();
  await stopGateway(gateway);
  await workerApi.stop();
  await database.$disconnect();
}
// The notification listener (server/core/notify.ts) has no close; the parent drops the
// database, but this process is done.
process.exit();
