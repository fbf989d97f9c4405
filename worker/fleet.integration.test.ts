// The fleet end to end on the real engine: real worker processes (worker/main.ts) against the
// real worker API, agents made through the tRPC API, sandboxes with private engines.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureImages, tagImageAliases } from "../infra/images/ensure-images.ts";
import { reconcileFleet } from "../server/fleet/controller.ts";
import { createEnrolmentToken } from "../server/fleet/enrolment.ts";
import { createCaller } from "../server/root-router.ts";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../test/db.ts";
import { operatorActor, testSandboxStorageMb } from "../test/fleet.ts";
import { startWorkerApiServer } from "../test/worker-api-server.ts";
import { EngineContainerDriver } from "./drivers/engine-container/index.ts";
import { connectEngine } from "./engine/docker-engine.ts";
import { httpUpstream } from "./gateway/test-kit.ts";

const db = connectTestDb();
const docker = connectEngine("unix:///var/run/docker.sock");
const pool = randomBytes(3).toString("hex");
const root = mkdtempSync(path.join(tmpdir(), "corral-fleet-"));
const runtime = "runc-privfix";
let api: Awaited<ReturnType<typeof startWorkerApiServer>>;

/** A loopback port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.once("error", reject);
  });
}
let images: Awaited<ReturnType<typeof ensureImages>>;
const workers = new Map<string, ChildProcess>();
const output = new Map<string, string>();

/** Starts worker/main.ts as host `name` (its own state folders), enrolling on first start. */
async function startWorker(name: string, extraEnv: Record<string, string> = {}) {
  const { token } = await createEnrolmentToken(
    db,
    operatorActor,
    { description: name, ttlHours: 1 },
    {},
  );
  const child = spawn(process.execPath, ["--import", "tsx", "worker/main.ts"], {
    env: {
      NODE_ENV: "test",
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CORRAL_CONTROL_PLANE_URL: api.url,
      CORRAL_ENROLMENT_TOKEN: token,
      CORRAL_WORKER_NAME: name,
      CORRAL_WORKER_LABELS: `pool=${pool}`,
      CORRAL_WORKER_STATE_DIR: path.join(root, name, "state"),
      CORRAL_SANDBOX_DIR: path.join(root, name, "sbx"),
      CORRAL_SANDBOX_RUNTIME: runtime,
      CORRAL_RESYNC_SECONDS: "2",
      CORRAL_SANDBOX_STORAGE_MB: String(testSandboxStorageMb),
      ...extraEnv,
    },
  });
  output.set(name, "");
  const keep = (d: Buffer) => output.set(name, (output.get(name) ?? "") + d);
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  workers.set(name, child);
  return child;
}

function kill9(name: string) {
  workers.get(name)?.kill("SIGKILL");
  workers.delete(name);
}

/** The driver as a host's worker sees it, to look inside sandboxes from the test. */
const driverOf = (name: string) =>
  new EngineContainerDriver(docker, {
    runtime,
    stateDir: path.join(root, name, "sbx"),
    sandboxImage: images.sandboxEngine,
    agentImageDefault: images.agentBase,
    hostKey: name,
  });

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  seconds = 120,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\n${[...output].map(([n, o]) => `--- ${n}\n${o.slice(-3000)}`).join("\n")}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function orgWithAdmin(placeIn = pool) {
  const admin = await makeUser(db);
  const org = await makeOrg(db, [{ userId: admin.id, role: "ADMIN" }]);
  await db.organization.update({
    where: { id: org.id },
    data: { placementLabels: { pool: placeIn }, cpuQuotaMillis: 500, memoryQuotaMb: 512 },
  });
  const caller = createCaller(contextFor(db, admin));
  return { org, agents: caller.agents, caller };
}

const chatty = ["sh", "-c", "echo hello from the agent; while true; do echo tick; sleep 1; done"];
const spec = { image: "corral/agent-base:latest", cpuMillis: 250, memoryMb: 128, workspaceMb: 128 };
const agentState = async (id: string) =>
  (await db.agent.findUnique({ where: { id } }))?.observedState;
const sandboxContainers = (tenantId: string) =>
  docker.listContainers({
    all: true,
    filters: { label: [`corral.tenant=${tenantId}`, "corral.role=sandbox"] },
  });

// What the job runner does in production: place waiting sandboxes every few seconds.
let controller: NodeJS.Timeout;

beforeAll(async () => {
  api = await startWorkerApiServer();
  controller = setInterval(() => reconcileFleet(db, { deadlineSeconds: 20 }).catch(() => {}), 1000);
  images = await ensureImages(docker, { log: () => {} });
  await tagImageAliases(docker, images);
}, 600_000);

afterAll(async () => {
  clearInterval(controller);
  for (const name of [...workers.keys()]) kill9(name);
  // Whatever the tests left: every sandbox of this run's hosts.
  for (const name of [`w1-${pool}`, `w2-${pool}`, `w3-${pool}`]) {
    const driver = driverOf(name);
    for (const s of await driver.listSandboxes()) await driver.destroySandbox(s.tenantId);
  }
  await api.stop();
}, 120_000);

describe("the worker fleet on a real engine", () => {
  it("runs an agent in its tenant's sandbox, ships its logs, stops it, and cleans up after deletion", async () => {
    await startWorker(`w1-${pool}`);
    const { org, agents } = await orgWithAdmin();
    const agent = await agents.create({
      orgSlug: org.slug,
      name: "chatty",
      ...spec,
      command: chatty,
      start: true,
    });
    await until("the agent to run", async () => (await agentState(agent.id)) === "RUNNING");
    await until("its logs", async () =>
      (await agents.logs({ orgSlug: org.slug, agentId: agent.id })).some(
        (l) => l.text === "hello from the agent",
      ),
    );
    await until(
      "its stats",
      async () => (await agents.stats({ orgSlug: org.slug, agentId: agent.id })).length > 0,
    );

    await agents.command({ orgSlug: org.slug, agentId: agent.id, command: "stop" });
    await until("the agent to stop", async () => (await agentState(agent.id)) === "STOPPED");

    await agents.delete({ orgSlug: org.slug, agentId: agent.id, confirmName: "chatty" });
    await until("the sandbox to go", async () => (await sandboxContainers(org.id)).length === 0);
  }, 300_000);

  it("converges after kill -9 mid-provision: no duplicates, no orphans", async () => {
    const { org, agents } = await orgWithAdmin();
    const keep = await agents.create({
      orgSlug: org.slug,
      name: "keep",
      ...spec,
      command: chatty,
      start: true,
    });
    const drop = await agents.create({
      orgSlug: org.slug,
      name: "drop",
      ...spec,
      command: chatty,
      start: true,
    });
    // The moment the sandbox container exists, the worker is mid-provision: kill it.
    await until(
      "provisioning to begin",
      async () => (await sandboxContainers(org.id)).length > 0,
      60,
    );
    kill9(`w1-${pool}`);
    // While it is down, one agent is deleted: its container (if any) must not survive.
    await agents.delete({ orgSlug: org.slug, agentId: drop.id, confirmName: "drop" });
    await startWorker(`w1-${pool}`);
    await until("the kept agent to run", async () => (await agentState(keep.id)) === "RUNNING");
    await until(
      "the deleted agent's container to go",
      async () => {
        const inside = await driverOf(`w1-${pool}`).listAgents(org.id);
        return inside.length === 1 && inside[0]?.agentId === keep.id;
      },
      30,
    );
    expect(await sandboxContainers(org.id)).toHaveLength(1);
    const inside = await driverOf(`w1-${pool}`).listAgents(org.id);
    expect(inside.map((a) => [a.agentId, a.generation, a.state])).toEqual([
      [keep.id, 1, "running"],
    ]);
  }, 300_000);

  it("moves a sandbox to a second host when the first stops heartbeating", async () => {
    const { org, agents } = await orgWithAdmin();
    const agent = await agents.create({
      orgSlug: org.slug,
      name: "mover",
      ...spec,
      command: chatty,
      start: true,
    });
    await until(
      "the agent to run on the first host",
      async () => (await agentState(agent.id)) === "RUNNING",
    );
    await startWorker(`w2-${pool}`);
    const second = await until("the second host to enrol", async () =>
      db.workerHost.findUnique({ where: { name: `w2-${pool}` } }),
    );
    kill9(`w1-${pool}`);
    // Past a 7 s deadline the first host is lost; the second beats every 5 s and is not.
    await new Promise((r) => setTimeout(r, 8000));
    await reconcileFleet(db, { deadlineSeconds: 7 });
    expect((await db.sandbox.findUniqueOrThrow({ where: { orgId: org.id } })).hostId).toBe(
      second.id,
    );
    await until("the agent to run on the second host", async () => {
      const inside = await driverOf(`w2-${pool}`)
        .listAgents(org.id)
        .catch(() => []);
      return (
        inside.some((a) => a.state === "running") && (await agentState(agent.id)) === "RUNNING"
      );
    });
  }, 300_000);

  it("carries a running agent's calls through its host's gateway with the key added, and applies a policy change within a second", async () => {
    // This host's gateway may reach the loopback upstream, as a lab's would.
    const metricsPort = await freePort();
    await startWorker(`w3-${pool}`, {
      CORRAL_GATEWAY_ALLOW_RANGES: "127.0.0.1/32",
      CORRAL_WORKER_LABELS: `pool=${pool}-gw`,
      CORRAL_WORKER_METRICS_PORT: String(metricsPort),
    });
    const upstream = await httpUpstream();
    try {
      const { org, agents, caller } = await orgWithAdmin(`${pool}-gw`);
      const key = `sk-ant-fleet-${randomBytes(16).toString("hex")}`;
      const caller$ = { orgSlug: org.slug };
      const agent = await agents.create({
        ...caller$,
        name: "caller",
        ...spec,
        command: [
          "sh",
          "-c",
          `while true; do wget -q -O /dev/null http://localhost:${upstream.port}/tick; sleep 0.1; done`,
        ],
      });
      const secret = await caller.secrets.create({ ...caller$, name: "MODEL_KEY", value: key });
      await caller.secrets.grant({
        ...caller$,
        secretId: secret.id,
        agentId: agent.id,
        hosts: ["localhost"],
        headerName: "x-api-key",
      });
      await caller.egress.setPolicy({
        ...caller$,
        agentId: agent.id,
        preset: "MODEL_PROVIDER",
        rules: [],
      });
      await agents.command({ ...caller$, agentId: agent.id, command: "start" });
      await until("the agent's calls to arrive with the key", async () =>
        upstream.seen.some((r) => r.headers["x-api-key"] === key),
      );
      await until(
        "the ledger to fill from the worker's reports",
        async () => (await caller.secrets.uses({ ...caller$, agentId: agent.id })).length > 0,
      );
      const generation = (await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).generation;

      const arrivals: number[] = [];
      const count = upstream.seen.length;
      const watcher = setInterval(() => {
        if (upstream.seen.length > count + arrivals.length) arrivals.push(performance.now());
      }, 10);
      await caller.egress.setPolicy({ ...caller$, agentId: agent.id, preset: "NONE", rules: [] });
      const changedAt = performance.now();
      await new Promise((r) => setTimeout(r, 2000));
      clearInterval(watcher);
      const last = arrivals.filter((t) => t >= changedAt).at(-1) ?? changedAt;
      // The agent keeps asking every 100 ms; the gateway stopped carrying within a second.
      console.log(
        `last request carried ${(last - changedAt).toFixed(0)} ms after the policy change`,
      );
      expect(last - changedAt).toBeLessThan(1000);
      await until(
        "its denials to be audited",
        async () =>
          (await db.auditEvent.count({ where: { chain: org.id, action: "egress.denied" } })) > 0,
      );
      // No restart: the same run, the same generation.
      expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).generation).toBe(
        generation,
      );
      const inside = await driverOf(`w3-${pool}`).listAgents(org.id);
      expect(inside.map((a) => [a.generation, a.state])).toEqual([[generation, "running"]]);

      // The worker's Prometheus series counted what just happened.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const value = (series: string) =>
        Number(new RegExp(`^${series} (\\S+)$`, "m").exec(metrics)?.[1] ?? 0);
      expect(value('corral_gateway_requests_total\\{outcome="allowed"\\}')).toBeGreaterThan(0);
      expect(value('corral_gateway_requests_total\\{outcome="denied"\\}')).toBeGreaterThan(0);
      expect(value("corral_reconcile_duration_seconds_count")).toBeGreaterThan(0);
    } finally {
      await upstream.close();
    }
  }, 300_000);

  it("gives a running agent its task through the gateway, and survives a worker kill -9 mid-task without running it twice", async () => {
    // A minimal agent runtime in busybox sh, speaking the task contract through its proxy
    // with nc (busybox wget sends a proxied POST as GET; nc half-closes after its request,
    // which the gateway bears): take a task, work for a while (the
    // worker is killed meanwhile), post its events until they are accepted.
    const shellRuntime = [
      `auth=$(echo "$HTTP_PROXY" | sed 's|http://\\([^@]*\\)@.*|\\1|' | tr -d '\\n' | base64 | tr -d '\\n')`,
      `gw=$(echo "$HTTP_PROXY" | sed 's|.*@\\([^:]*\\):\\([0-9]*\\).*|\\1 \\2|')`,
      `call() { printf 'POST %s HTTP/1.1\\r\\nHost: corral.internal\\r\\nProxy-Authorization: Basic %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$CORRAL_TASKS_URL$1" "$auth" "\${#2}" "$2" | nc $gw; }`,
      `post() { until call "/tasks/$1/events" "$2" | head -1 | grep -q ' 200 '; do sleep 1; done; }`,
      "while true; do",
      `  answer=$(call /next '{"runId":"sh-1","waitSeconds":20}')`,
      `  echo "next: $(echo "$answer" | head -1)"`,
      `  id=$(echo "$answer" | sed -n 's/^{"task":{"id":"\\([^"]*\\)".*/\\1/p')`,
      `  [ -z "$id" ] && { sleep 1; continue; }`,
      `  echo "took $id"`,
      `  post $id '{"events":[{"seq":1,"type":"status","message":"started"}]}'`,
      "  sleep 6",
      `  post $id '{"events":[{"seq":2,"type":"text","text":"all done"},{"seq":3,"type":"result","text":"ok"}]}'`,
      "done",
    ].join("\n");
    if (!workers.has(`w3-${pool}`))
      await startWorker(`w3-${pool}`, { CORRAL_WORKER_LABELS: `pool=${pool}-gw` });
    const { org, agents, caller } = await orgWithAdmin(`${pool}-gw`);
    const agent = await agents.create({
      orgSlug: org.slug,
      name: "shell-runtime",
      ...spec,
      command: ["sh", "-c", shellRuntime],
      start: true,
    });
    await until("the agent to run", async () => (await agentState(agent.id)) === "RUNNING");
    const task = await caller.tasks.create({
      orgSlug: org.slug,
      agentId: agent.id,
      prompt: "do it",
    });
    await until(
      "the agent to take the task",
      async () =>
        (await caller.tasks.get({ orgSlug: org.slug, taskId: task.id })).status === "RUNNING" &&
        (await db.taskEvent.count({ where: { taskId: task.id } })) > 0,
      60,
    ).catch(async (error: Error) => {
      const logs = await agents.logs({ orgSlug: org.slug, agentId: agent.id });
      throw new Error(`${error.message}\nagent logs:\n${logs.map((l) => l.text).join("\n")}`);
    });
    kill9(`w3-${pool}`);
    await new Promise((r) => setTimeout(r, 2000));
    await startWorker(`w3-${pool}`, { CORRAL_WORKER_LABELS: `pool=${pool}-gw` });
    await until(
      "the task to succeed",
      async () =>
        (await caller.tasks.get({ orgSlug: org.slug, taskId: task.id })).status === "SUCCEEDED",
    ).catch(async (error: Error) => {
      const logs = await agents.logs({ orgSlug: org.slug, agentId: agent.id });
      const row = await caller.tasks.get({ orgSlug: org.slug, taskId: task.id });
      throw new Error(
        `${error.message}\ntask: ${row.status} ${row.reason ?? ""}\nagent logs:\n${logs.map((l) => l.text).join("\n")}`,
      );
    });
    const events = await db.taskEvent.findMany({
      where: { taskId: task.id },
      orderBy: { seq: "asc" },
    });
    expect(events.map((e) => e.type)).toEqual(["status", "text", "result"]);
    expect(await db.auditEvent.count({ where: { chain: org.id, action: "task.started" } })).toBe(1);
    // The agent's own account: it took one task, this one (lines may be shipped twice after
    // the worker's restart, so distinct lines are counted).
    const took = await until("the agent's log of taking it", async () => {
      const lines = (await agents.logs({ orgSlug: org.slug, agentId: agent.id }))
        .map((l) => l.text)
        .filter((t) => t.startsWith("took "));
      return lines.length > 0 && lines;
    });
    expect([...new Set(took)]).toEqual([`took ${task.id}`]);
  }, 300_000);
});
