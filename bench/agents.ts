// Agents under the stopwatch, on this machine's real engine, in one run:
//   sandbox ready   a tenant's sandbox from nothing until its private engine takes agents;
//   cold start      the API call (agents.command start) until the container runs in the
//                   sandbox: the control plane's write and NOTIFY, the worker's long-poll,
//                   reconcile pass and hardened create+start (a worker with warm starts off);
//   warm start      the same, when the stopped agent's next container waits held: started
//                   and frozen before the agent's process (agent-hold.ts);
//   steps           each start cut into write, wake-up and fetch, reconcile, create, start,
//                   and the report that tells the control plane it runs;
//   crowds          the same starts on a host carrying 1, 10 and 40 sandboxes;
//   baseline        at each crowd, the same image and command started with a plain create+start (what
//                   `docker run -d` does) in the same private engine, polled the same way, one
//                   after each cold and each warm start.
// Sizes: BENCH_AGENT_STARTS (30, at the first crowd), BENCH_CROWD_STARTS (10, at the others),
// BENCH_SANDBOXES (5), BENCH_CROWDS (1,10,40).
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { ensureImages, tagImageAliases } from "../infra/images/ensure-images.ts";
import { commandAgent, createAgent } from "../server/agents/service.ts";
import { createDb } from "../server/db/client.ts";
import {
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../server/db/database.ts";
import { createEnrolmentToken } from "../server/fleet/enrolment.ts";
import { testServerUrl, uniqueDatabaseName } from "../test/database-server.ts";
import { startWorkerApiServer } from "../test/worker-api-server.ts";
import { workerConfig } from "../worker/config.ts";
import type { ObservedAgent } from "../worker/drivers/driver.ts";
import { EngineContainerDriver } from "../worker/drivers/engine-container/index.ts";
import { connectEngine, describeEngine } from "../worker/engine/docker-engine.ts";
import { runFleetAgent } from "../worker/fleet-agent.ts";
import { waitingForStart } from "../worker/reconcile/observed-state.ts";
import { recordSamples } from "./results.ts";
import { median, p95 } from "./stats.ts";

const starts = Number(process.env.BENCH_AGENT_STARTS ?? 30);
const crowdStarts = Number(process.env.BENCH_CROWD_STARTS ?? 10);
const sandboxSamples = Number(process.env.BENCH_SANDBOXES ?? 5);
const crowds = (process.env.BENCH_CROWDS ?? "1,10,40").split(",").map(Number);
// Crowds of sandboxes: small disks, and a host that says it has room for all of them
// (placement reserves CPU per sandbox; what is measured here is the worker, not placement).
const crowdStorageMb = 1024;
const advertisedCpus = 32;
const run = randomBytes(3).toString("hex");
const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_bench_agents"));
await ensureDatabase(url);
await migrateDatabase(url);
// The control plane's handlers read their settings from the environment.
Object.assign(process.env, {
  DATABASE_URL: url,
  AUTH_SECRET: randomBytes(32).toString("base64url"),
  CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
});
const db = createDb(url);
const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const runtimes = (await describeEngine(host, "local")).runtimes;
const runtime = ["sysbox-runc", "runc-privfix"].find((r) => runtimes.includes(r)) ?? "runc";
const images = await ensureImages(host, { log: () => {} });
await tagImageAliases(host, images);
const stateDir = mkdtempSync(path.join(tmpdir(), "corral-bench-"));
const driver = new EngineContainerDriver(host, {
  runtime,
  stateDir,
  sandboxImage: images.sandboxEngine,
  agentImageDefault: images.agentBase,
  hostKey: `bench-${run}`,
  storageMb: crowdStorageMb,
});

// The stopwatch's hands: when the driver began and ended each agent operation, and when a
// desired-state answer left the control plane.
type Mark = { what: "create" | "start"; phase: "begin" | "end"; agentId: string; at: number };
const marks: Mark[] = [];
const desiredAnswers: number[] = [];
const timedDriver = new Proxy(driver, {
  get(target, prop) {
    const value = Reflect.get(target, prop, target);
    if (prop === "fingerprint")
      return async () => {
        const print = await target.fingerprint();
        return { ...print, capacity: { ...print.capacity, cpus: advertisedCpus } };
      };
    if (prop === "createAgent" || prop === "startAgent") {
      const what = prop === "createAgent" ? "create" : "start";
      return async (...args: unknown[]) => {
        const agentId =
          what === "create" ? (args[0] as { agentId: string }).agentId : (args[1] as string);
        marks.push({ what, phase: "begin", agentId, at: performance.now() });
        try {
          return await (value as (...a: unknown[]) => Promise<void>).apply(target, args);
        } finally {
          marks.push({ what, phase: "end", agentId, at: performance.now() });
        }
      };
    }
    return typeof value === "function" ? value.bind(target) : value;
  },
});
const api = await startWorkerApiServer({
  onAnswer: (route) => {
    if (route === "GET desired") desiredAnswers.push(performance.now());
  },
});
/** Its first line tells when the agent's own process ran (a held one waits before it). */
const command = ["sh", "-c", "echo up; while true; do sleep 1; done"];
const ms = (v: number) => `${Math.round(v)} ms`;

/** Polls `check` every 10 ms; returns the ms from `since` until it held. */
async function until(
  since: number,
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
) {
  const deadline = since + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - since;
}

interface Start {
  total: number;
  steps: Record<StepName, number>;
  /** From the API call to the agent's first line, by the engine's log timestamp. */
  firstLine?: number;
}
const stepNames = ["write", "wake+fetch", "reconcile", "create", "start", "report"] as const;
type StepName = (typeof stepNames)[number];

const firstAfter = (times: number[], t: number) => times.find((at) => at >= t);
const markAt = (agentId: string, what: Mark["what"], phase: Mark["phase"], after: number) =>
  marks.find((m) => m.agentId === agentId && m.what === what && m.phase === phase && m.at >= after)
    ?.at;

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
/** A ratio against its goal (at most `most`), said plainly when missed and by how much. */
const verdict = (figure: string, value: number, most: number) =>
  value <= most
    ? `${figure} ${value.toFixed(2)}× (met)`
    : `${figure} ${value.toFixed(2)}× (NOT MET, over by ${(value - most).toFixed(2)}×)`;
const goalLine = (cold: number[], warm: number[], raw: number[]) =>
  `    goals: ${[
    verdict("cold median", median(cold) / median(raw), 1.1),
    verdict("cold p95", p95(cold) / p95(raw), 1.1),
    verdict("warm median", median(warm) / median(raw), 0.6),
  ].join(", ")}`;
const summary = (label: string, samples: number[], raw: number[]) =>
  `  ${label.padEnd(22)} median ${ms(median(samples))}, p95 ${ms(p95(samples))}; / raw: median ${ratio(median(samples), median(raw))}, p95 ${ratio(p95(samples), p95(raw))}`;

let workerStop = new AbortController();
let worker: Promise<void> = Promise.resolve();
try {
  // Sandbox ready, from nothing.
  const ready: number[] = [];
  for (let i = 0; i < sandboxSamples; i++) {
    const tenantId = `bench-${run}-sbx-${i}`;
    const t0 = performance.now();
    await driver.ensureSandbox({ tenantId, tenantSlug: tenantId, cpus: 1, memoryMb: 1024 });
    ready.push(performance.now() - t0);
    await driver.destroySandbox(tenantId);
  }

  // A worker for this run, enrolled the real way, running in this process; restarted with
  // warm starts off or on (its identity stays in its state folder).
  const { token } = await createEnrolmentToken(
    db,
    { type: "SYSTEM", name: "bench" },
    { description: "bench", ttlHours: 1 },
    {},
  );
  const runWorker = async (warmStarts: boolean) => {
    workerStop.abort();
    await worker;
    workerStop = new AbortController();
    const config = workerConfig({
      CORRAL_CONTROL_PLANE_URL: api.url,
      CORRAL_ENROLMENT_TOKEN: token,
      CORRAL_WORKER_NAME: `bench-${run}`,
      CORRAL_WORKER_LABELS: `bench=${run}`,
      CORRAL_WORKER_STATE_DIR: path.join(stateDir, "worker"),
      CORRAL_SANDBOX_DIR: stateDir,
      CORRAL_SANDBOX_RUNTIME: runtime,
      CORRAL_WARM_STARTS: String(warmStarts),
    });
    worker = runFleetAgent({
      config,
      driver: timedDriver,
      describeEngine: () => describeEngine(host, "local"),
      signal: workerStop.signal,
      log: () => {},
    });
  };
  await runWorker(false);
  await until(
    performance.now(),
    async () => (await db.workerHost.count()) > 0,
    "the worker to enrol",
  );

  const user = await db.user.create({
    data: { email: `bench-${run}@example.test`, name: "Bench" },
  });
  const acting = {
    user: { id: user.id, email: user.email, name: user.name, emailVerified: true },
    role: "OWNER" as const,
    audit: { type: "USER" as const, id: user.id, name: user.email },
  };
  const tenant = async (slug: string) =>
    db.organization.create({
      data: {
        slug,
        name: slug,
        placementLabels: { bench: run },
        cpuQuotaMillis: 1000,
        memoryQuotaMb: 1024,
      },
    });
  const startAgentIn = (orgId: string, name: string) =>
    createAgent(
      db,
      acting,
      orgId,
      {
        name,
        image: "corral/agent-base:latest",
        command,
        env: {},
        cpuMillis: 100,
        memoryMb: 64,
        workspaceMb: 64,
        start: true,
      },
      {},
    );
  const org = await tenant(`bench-${run}`);
  const agent = await startAgentIn(org.id, "bench");
  // The first start also makes the sandbox and copies the image in: warm-up, not measured.
  // A held container runs only its prelude until its start (agent-hold.ts).
  const runsAgent = (a: ObservedAgent) => a.state === "running" && !waitingForStart(a);
  const containers = async () =>
    (await driver.listAgents(org.id).catch(() => [])).filter((a) => a.agentId === agent.id);
  const running = async (generation: number) =>
    (await containers()).some((a) => a.generation === generation && runsAgent(a));
  await until(performance.now(), () => running(1), "the first start");

  const reported = async (generation: number) => {
    const row = await db.agent.findUniqueOrThrow({
      where: { id: agent.id },
      select: { observedState: true, observedGeneration: true },
    });
    return row.observedState === "RUNNING" && row.observedGeneration === generation;
  };

  /** `count` stops and starts of the bench agent; warm ones wait for the held container. */
  const measure = async (
    count: number,
    warm: boolean,
    between: () => Promise<void>,
  ): Promise<Start[]> => {
    const samples: Start[] = [];
    for (let i = 0; i < count; i++) {
      const stopped = await commandAgent(db, acting, org.id, agent.id, "stop", {});
      await until(performance.now(), async () => !(await containers()).some(runsAgent), "the stop");
      if (warm)
        await until(
          performance.now(),
          async () =>
            (await containers()).some(
              (a) => a.generation === stopped.generation + 1 && waitingForStart(a),
            ),
          "the next run's container",
        );
      const t0 = performance.now();
      const calledAt = Date.now();
      const updated = await commandAgent(db, acting, org.id, agent.id, "start", {});
      const written = performance.now();
      const runs = t0 + (await until(t0, () => running(updated.generation), "the start"));
      // Started means running and the driver's start returned: a held run's start is its CPU
      // limit (agent-hold.ts), and that is part of the cost.
      await until(
        runs,
        async () => markAt(agent.id, "start", "end", t0) !== undefined,
        "the driver's start",
      );
      const startBegin = markAt(agent.id, "start", "begin", t0) ?? runs;
      const startEnd = markAt(agent.id, "start", "end", startBegin) ?? runs;
      const seen = Math.max(runs, startEnd);
      const total = seen - t0;
      await until(seen, () => reported(updated.generation), "the report");
      const reportedAt = performance.now();
      const fetched = firstAfter(desiredAnswers, t0) ?? written;
      const createBegin = markAt(agent.id, "create", "begin", t0);
      const createEnd = createBegin && markAt(agent.id, "create", "end", createBegin);
      const acted = createBegin ?? startBegin;
      const lines = await driver.logs(org.id, agent.id, { since: new Date(calledAt - 1000) });
      const up = lines.find((line) => line.text === "up");
      samples.push({
        total,
        ...(up && { firstLine: Date.parse(up.at) - calledAt }),
        steps: {
          write: written - t0,
          "wake+fetch": Math.max(0, fetched - written),
          reconcile: Math.max(0, acted - Math.max(fetched, written)),
          create: createBegin && createEnd ? createEnd - createBegin : 0,
          start: startEnd - startBegin,
          report: reportedAt - startEnd,
        },
      });
      await between();
    }
    return samples;
  };

  // Fillers: tenants with one running agent each, until the host carries `size` sandboxes.
  let fillers = 0;
  const crowdTo = async (size: number) => {
    const orgIds: string[] = [];
    while (fillers + 1 < size) {
      const filler = await tenant(`bench-${run}-f${fillers}`);
      await startAgentIn(filler.id, "filler");
      orgIds.push(filler.id);
      fillers++;
    }
    if (orgIds.length === 0) return;
    await until(
      performance.now(),
      async () =>
        (await db.agent.count({ where: { orgId: { in: orgIds }, observedState: "RUNNING" } })) ===
        orgIds.length,
      `${size} sandboxes`,
      600_000,
    );
  };

  // Baseline: the same image and command, plain create+start in the same private engine, at
  // each crowd (40 sandboxes' engines load the host), beside the worker as it runs: one after
  // each cold and each warm start, so a slow spell of the machine weighs on both alike. After
  // them, the same with the engine's own CPU limit (`--cpus`, over 100 ms periods) among the
  // create options: what the driver avoids with its 1 s period (agent-container.ts).
  const engine = new Docker({ socketPath: path.join(stateDir, org.id, "run", "docker.sock") });
  const rawStart = async (limited: boolean) => {
    const t0 = performance.now();
    const c = await engine.createContainer({
      Image: "corral/agent-base:latest",
      Cmd: command,
      HostConfig: { NetworkMode: "corral-agents", ...(limited && { NanoCpus: 100_000_000 }) },
    });
    await c.start();
    const took = await until(t0, async () => (await c.inspect()).State.Running, "the raw start");
    await c.remove({ force: true });
    return took;
  };

  const results: {
    size: number;
    cold: Start[];
    warm: Start[];
    raw: number[];
    rawLimited: number[];
  }[] = [];
  for (const size of crowds) {
    await crowdTo(size);
    const count = results.length === 0 ? starts : crowdStarts;
    const raw: number[] = [];
    const rawOnce = async () => {
      raw.push(await rawStart(false));
    };
    await runWorker(false);
    const cold = await measure(count, false, rawOnce);
    await runWorker(true);
    const warm = await measure(count, true, rawOnce);
    const rawLimited: number[] = [];
    for (let i = 0; i < count; i++) rawLimited.push(await rawStart(true));
    results.push({ size, cold, warm, raw, rawLimited });
  }

  for (const { size, cold, warm, raw, rawLimited } of results) {
    const at = `${size} sandbox${size === 1 ? "" : "es"}`;
    recordSamples("agents", `raw create+start, ${at}`, raw);
    recordSamples("agents", `raw with --cpus 0.1 at create, ${at}`, rawLimited);
    recordSamples(
      "agents",
      `cold start, ${at}`,
      cold.map((s) => s.total),
    );
    recordSamples(
      "agents",
      `warm start, ${at}`,
      warm.map((s) => s.total),
    );
  }
  const stepLine = (label: string, samples: Start[]) => {
    const medians = stepNames.map((name) => median(samples.map((s) => s.steps[name])));
    const sum = medians.reduce((a, b) => a + b, 0);
    return `    steps, ${label}: ${stepNames
      .map(
        (name, i) =>
          `${name} ${ms(medians[i] ?? 0)} (${Math.round(((medians[i] ?? 0) / sum) * 100)}%)`,
      )
      .join(", ")}`;
  };
  const firstLineLine = (cold: Start[], warm: Start[]) => {
    const of = (samples: Start[]) => {
      const times = samples.flatMap((s) => (s.firstLine === undefined ? [] : [s.firstLine]));
      const lag = samples.flatMap((s) =>
        s.firstLine === undefined ? [] : [s.firstLine - s.total],
      );
      return times.length === 0
        ? "not seen"
        : `median ${ms(median(times))} (${ms(median(lag))} after the start ended)`;
    };
    return `    the agent's first line after the call: cold ${of(cold)}, warm ${of(warm)}`;
  };
  console.log(
    [
      `agent bench: ${starts} starts (${crowdStarts} at crowds after the first), ${sandboxSamples} sandboxes, runtime ${runtime}, sandbox disks ${crowdStorageMb} MiB`,
      `  sandbox ready          median ${ms(median(ready))}, p95 ${ms(p95(ready))} (goal ≤ 3 s)`,
      ...results.flatMap(({ size, cold, warm, raw, rawLimited }) => [
        `  on a host with ${size} sandbox${size === 1 ? "" : "es"}:`,
        `    raw create+start     median ${ms(median(raw))}, p95 ${ms(p95(raw))} (same image, same engine); with --cpus 0.1 at create median ${ms(median(rawLimited))} (${ratio(median(rawLimited), median(raw))})`,
        summary(
          "  cold",
          cold.map((s) => s.total),
          raw,
        ),
        summary(
          "  warm",
          warm.map((s) => s.total),
          raw,
        ),
        stepLine("cold", cold),
        stepLine("warm", warm),
        firstLineLine(cold, warm),
        goalLine(
          cold.map((s) => s.total),
          warm.map((s) => s.total),
          raw,
        ),
      ]),
      "  goals: cold ≤ 1.1× raw at median and p95, flat across crowds; warm median ≤ 0.6× raw",
      "  (report: until the control plane's row says RUNNING; not part of the ratios, which end when the container runs and its CPU limit is set)",
    ].join("\n"),
  );
  await commandAgent(db, acting, org.id, agent.id, "stop", {});
} finally {
  workerStop.abort();
  await worker.catch(() => undefined);
  for (const s of await driver.listSandboxes()) await driver.destroySandbox(s.tenantId);
  await api.stop();
  await db.$disconnect();
  await dropDatabase(url);
}
