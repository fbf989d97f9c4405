// Agents under the stopwatch, on this machine's real engine, in one run:
//   sandbox ready   a tenant's sandbox from nothing until its private engine takes agents;
//   agent start     the API call (agents.command start) until the container runs in the
//                   sandbox: the control plane's write and NOTIFY, the worker's long-poll,
//                   reconcile pass and hardened create+start;
//   baseline        the same image and command started with a plain create+start (what
//                   `docker run -d` does) in the same private engine, polled the same way.
// Sizes: BENCH_AGENT_STARTS (default 30), BENCH_SANDBOXES (default 5).
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { ensureImages } from "../infra/images/ensure-images.ts";
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
import { EngineContainerDriver } from "../worker/drivers/engine-container/index.ts";
import { connectEngine, describeEngine } from "../worker/engine/docker-engine.ts";
import { runFleetAgent } from "../worker/fleet-agent.ts";
import { median, p95 } from "./stats.ts";

const starts = Number(process.env.BENCH_AGENT_STARTS ?? 30);
const sandboxSamples = Number(process.env.BENCH_SANDBOXES ?? 5);
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
await host.getImage(images.agentBase).tag({ repo: "corral/agent-base", tag: "latest" });
const stateDir = mkdtempSync(path.join(tmpdir(), "corral-bench-"));
const driver = new EngineContainerDriver(host, {
  runtime,
  stateDir,
  sandboxImage: images.sandboxEngine,
  agentImageDefault: images.agentBase,
  hostKey: `bench-${run}`,
});
const api = await startWorkerApiServer();
const stop = new AbortController();
const command = ["sh", "-c", "while true; do sleep 1; done"];
const ms = (v: number) => `${Math.round(v)} ms`;

/** Polls `check` every 10 ms; returns the ms from `since` until it held. */
async function until(since: number, check: () => Promise<boolean>, what: string) {
  const deadline = since + 60_000;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return performance.now() - since;
}

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

  // A worker for this run, enrolled the real way, running in this process.
  const { token } = await createEnrolmentToken(
    db,
    { type: "SYSTEM", name: "bench" },
    { description: "bench", ttlHours: 1 },
    {},
  );
  const config = workerConfig({
    CORRAL_CONTROL_PLANE_URL: api.url,
    CORRAL_ENROLMENT_TOKEN: token,
    CORRAL_WORKER_NAME: `bench-${run}`,
    CORRAL_WORKER_LABELS: `bench=${run}`,
    CORRAL_WORKER_STATE_DIR: path.join(stateDir, "worker"),
    CORRAL_SANDBOX_DIR: stateDir,
    CORRAL_SANDBOX_RUNTIME: runtime,
  });
  const worker = runFleetAgent({
    config,
    driver,
    describeEngine: () => describeEngine(host, "local"),
    signal: stop.signal,
    log: () => {},
  });
  await until(
    performance.now(),
    async () => (await db.workerHost.count()) > 0,
    "the worker to enrol",
  );

  const user = await db.user.create({
    data: { email: `bench-${run}@example.test`, name: "Bench" },
  });
  const org = await db.organization.create({
    data: {
      slug: `bench-${run}`,
      name: "Bench",
      placementLabels: { bench: run },
      cpuQuotaMillis: 1000,
      memoryQuotaMb: 1024,
    },
  });
  const acting = {
    user: { id: user.id, email: user.email, name: user.name, emailVerified: true },
    role: "OWNER" as const,
    audit: { type: "USER" as const, id: user.id, name: user.email },
  };
  const agent = await createAgent(
    db,
    acting,
    org.id,
    {
      name: "bench",
      image: "corral/agent-base:latest",
      command,
      env: {},
      cpuMillis: 250,
      memoryMb: 128,
      workspaceMb: 128,
      start: true,
    },
    {},
  );
  // The first start also makes the sandbox and copies the image in: warm-up, not measured.
  const running = async (generation: number) =>
    (await driver.listAgents(org.id).catch(() => [])).some(
      (a) => a.generation === generation && a.state === "running",
    );
  await until(performance.now(), () => running(1), "the first start");

  const ours: number[] = [];
  for (let i = 0; i < starts; i++) {
    await commandAgent(db, acting, org.id, agent.id, "stop", {});
    await until(
      performance.now(),
      async () => !(await driver.listAgents(org.id)).some((a) => a.state === "running"),
      "the stop",
    );
    const t0 = performance.now();
    const updated = await commandAgent(db, acting, org.id, agent.id, "start", {});
    ours.push(await until(t0, () => running(updated.generation), "the start"));
  }

  // Baseline: the same image and command, plain create+start in the same private engine.
  const engine = new Docker({ socketPath: path.join(stateDir, org.id, "run", "docker.sock") });
  const raw: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t0 = performance.now();
    const c = await engine.createContainer({
      Image: "corral/agent-base:latest",
      Cmd: command,
      HostConfig: { NetworkMode: "corral-agents" },
    });
    await c.start();
    raw.push(await until(t0, async () => (await c.inspect()).State.Running, "the raw start"));
    await c.remove({ force: true });
  }

  console.log(
    [
      `agent bench: ${starts} starts, ${sandboxSamples} sandboxes, runtime ${runtime}`,
      `  sandbox ready        median ${ms(median(ready))}, p95 ${ms(p95(ready))} (goal ≤ 3 s)`,
      `  agent start (API)    median ${ms(median(ours))}, p95 ${ms(p95(ours))}`,
      `  raw create+start     median ${ms(median(raw))}, p95 ${ms(p95(raw))} (same image, same engine)`,
      `  ours / raw           median ${(median(ours) / median(raw)).toFixed(2)}×, p95 ${(p95(ours) / p95(raw)).toFixed(2)}× (goal ≤ 1.1×)`,
    ].join("\n"),
  );
  await commandAgent(db, acting, org.id, agent.id, "stop", {});
  stop.abort();
  await worker;
} finally {
  stop.abort();
  for (const s of await driver.listSandboxes()) await driver.destroySandbox(s.tenantId);
  await api.stop();
  await db.$disconnect();
  await dropDatabase(url);
}
