// The one-server stack from its images, as an operator runs it: the web and worker images are
// built on the real engine, compose.yaml starts migrations, web, job runner, worker and mail
// sink against a fresh database on the host's PostgreSQL, and then, over HTTP against the web
// container only, the demo user signs in, starts an agent and reads its logs. Everything it
// made (containers, networks, volumes, sandboxes, the database) is removed afterwards.
// Slow: the first run builds the images (next build); later runs find them by content tag.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demo } from "../../prisma/seed.ts";
import { createDb } from "../../server/db/client.ts";
import { dropDatabase, ensureDatabase, withDatabase } from "../../server/db/database.ts";
import { createEnrolmentToken } from "../../server/fleet/enrolment.ts";
import type { AppRouter } from "../../server/root-router.ts";
import { testServerUrl, uniqueDatabaseName } from "../../test/database-server.ts";
import { EngineContainerDriver } from "../../worker/drivers/engine-container/index.ts";
import { connectEngine } from "../../worker/engine/docker-engine.ts";
import { ensureImages } from "../images/ensure-images.ts";
import { ensureServiceImage } from "../images/service-images.ts";

const run = promisify(execFile);
const composeFile = path.join(import.meta.dirname, "compose.yaml");
const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
const id = randomBytes(3).toString("hex");
const project = `corral-smoke-${id}`;
const workerName = `smoke-${id}`;
const demoPassword = `smoke-${randomBytes(9).toString("base64url")}`;
const marker = `corral-smoke-${id}`;

/** A port nothing listens on now (the stack uses the host's network). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

let databaseUrl = "";
let hostDir = "";
let overrideFile = "";
// What docker-compose sees: only what the stack needs, so the host's own settings stay out.
let env: Record<string, string | undefined> = {};
let base = "";
const timings: Record<string, number> = {};

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[label] = Math.round((performance.now() - started) / 100) / 10;
  }
}

function compose(...args: string[]) {
  return run("docker-compose", ["-p", project, "-f", composeFile, "-f", overrideFile, ...args], {
    env: env as NodeJS.ProcessEnv,
    maxBuffer: 32 * 1024 * 1024,
  });
}

async function waitFor<T>(what: string, seconds: number, probe: () => Promise<T | null>) {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown = "nothing yet";
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== null) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  const logs = await compose("logs", "--no-color", "--tail=30").catch(() => ({ stdout: "" }));
  throw new Error(`${what}: not within ${seconds} s (last: ${String(last)})\n${logs.stdout}`);
}

/** Auth.js credentials sign-in over HTTP: the session cookie, as a browser would keep it. */
async function signIn(email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: cookies.join("; "),
    },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${base}/` }),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0] ?? "")
    .find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in gave no session (HTTP ${res.status})`);
  return session;
}

describe("the one-server stack from images (compose)", () => {
  beforeAll(async () => {
    await run("docker-compose", ["version"]).catch(() => {
      throw new Error("this test needs docker-compose (Debian: apt-get install docker-compose)");
    });
    const docker = connectEngine(dockerHost);
    const log = () => {};
    const [web, worker] = await timed("images", async () => {
      await ensureImages(docker, { log });
      return [
        await ensureServiceImage(docker, "web", { log }),
        await ensureServiceImage(docker, "worker", { log }),
      ];
    });
    const info = await docker.info();
    const runtimes = Object.keys(info.Runtimes ?? {});
    databaseUrl = withDatabase(testServerUrl, uniqueDatabaseName("corral_smoke"));
    await ensureDatabase(databaseUrl);
    // Short: sandbox socket paths must fit a unix socket's 108 bytes.
    hostDir = await mkdtemp(path.join(tmpdir(), "cs-"));
    const port = await freePort();
    base = `http://localhost:${port}`;
    env = {
      PATH: process.env.PATH,
      DOCKER_HOST: dockerHost,
      CORRAL_WEB_IMAGE: web,
      CORRAL_WORKER_IMAGE: worker,
      POSTGRES_PASSWORD: "unused-the-host-server-is-used",
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      AUTH_URL: base,
      CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
      PORT: String(port),
      CORRAL_BIND_HOST: "127.0.0.1",
      CORRAL_MAIL_SINK_PORT: String(await freePort()),
      CORRAL_MAIL_SINK_HTTP_PORT: String(await freePort()),
      CORRAL_JOBS_METRICS_PORT: String(await freePort()),
      CORRAL_WORKER_METRICS_PORT: String(await freePort()),
      CORRAL_WORKER_NAME: workerName,
      CORRAL_HOST_DIR: hostDir,
      CORRAL_SANDBOX_RUNTIME: runtimes.includes("runc-privfix") ? "runc-privfix" : "runc",
      // This host has no sysbox-runc: the test accepts privileged sandbox containers.
      CORRAL_ALLOW_PRIVILEGED_RUNC: "true",
    };
    env.CORRAL_SMTP_URL = `smtp://127.0.0.1:${env.CORRAL_MAIL_SINK_PORT}`;
    env.CORRAL_MAIL_SINK_URL = `http://127.0.0.1:${env.CORRAL_MAIL_SINK_HTTP_PORT}`;
    // This machine cannot download Prisma's schema engine: lend the migrate container the
    // offline stand-in the checkout uses (PRISMA_SCHEMA_ENGINE_BINARY), when it is set.
    const engine = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
    const wasm = path.resolve("node_modules/@prisma/schema-engine-wasm");
    overrideFile = path.join(hostDir, "compose.smoke.yaml");
    await writeFile(
      overrideFile,
      engine
        ? [
            "services:",
            "  migrate:",
            "    environment:",
            "      PRISMA_SCHEMA_ENGINE_BINARY: /opt/schema-engine.mjs",
            "    volumes:",
            `      - ${engine}:/opt/schema-engine.mjs:ro`,
            `      - ${wasm}:/app/node_modules/@prisma/schema-engine-wasm:ro`,
            "",
          ].join("\n")
        : "services: {}\n",
    );
  }, 1_800_000);

  afterAll(async () => {
    // Every step runs even when one before it failed; the first failure is reported.
    const problems: unknown[] = [];
    const attempt = (work: () => Promise<unknown>) => work().catch((e) => problems.push(e));
    if (overrideFile)
      await attempt(() => compose("down", "--volumes", "--remove-orphans", "--timeout", "5"));
    // What the worker made on the host engine: its sandboxes, their agents, networks, volumes.
    await attempt(async () => {
      const driver = new EngineContainerDriver(connectEngine(dockerHost), {
        stateDir: path.join(hostDir, "sandboxes"),
        hostKey: workerName,
        sandboxImage: "none",
        agentImageDefault: "none",
      });
      for (const sandbox of await driver.listSandboxes())
        await driver.destroySandbox(sandbox.tenantId);
    });
    if (databaseUrl) await attempt(() => dropDatabase(databaseUrl));
    if (hostDir) await attempt(() => rm(hostDir, { recursive: true, force: true }));
    console.log(`stack smoke timings (s): ${JSON.stringify(timings)}`);
    if (problems.length > 0) throw problems[0];
  }, 180_000);

  it("migrates, serves, signs in, starts an agent and reads its logs over HTTP", async () => {
    await timed("migrate", () => compose("run", "--rm", "--no-deps", "migrate"));
    // The demo organisation and user, by the image's own seed; the operator's enrolment token
    // for this worker.
    await timed("seed", () =>
      compose(
        "run",
        "--rm",
        "--no-deps",
        "-e",
        `CORRAL_DEMO_PASSWORD=${demoPassword}`,
        "web",
        "prisma/seed.ts",
      ),
    );
    const db = createDb(databaseUrl);
    try {
      env.CORRAL_ENROLMENT_TOKEN = (
        await createEnrolmentToken(
          db,
          { type: "SYSTEM", name: "stack smoke test" },
          { description: "smoke worker", ttlHours: 1, hostName: workerName },
          {},
        )
      ).token;
    } finally {
      await db.$disconnect();
    }

    await timed("up", () =>
      compose("up", "-d", "--no-deps", "--no-build", "web", "jobs", "worker", "mail"),
    );
    const health = await timed("worker live", () =>
      waitFor("web answering with a live worker", 240, async () => {
        const res = await fetch(`${base}/api/health`);
        const report = (await res.json()) as {
          database?: { ok: boolean };
          workers?: { live: number };
        };
        return report.database?.ok && (report.workers?.live ?? 0) > 0 ? report : null;
      }),
    );
    expect(health.workers?.live).toBe(1);
    const ready = await fetch(`${base}/api/ready`);
    expect(ready.status).toBe(200);

    const cookie = await timed("sign in", () => signIn(demo.email, demoPassword));
    const api = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${base}/api/trpc`, transformer: superjson, headers: { cookie } })],
    });
    const agent = await api.agents.create.mutate({
      orgSlug: demo.orgSlug,
      name: "smoke",
      image: "corral/agent-base:latest",
      command: ["sh", "-c", `echo ${marker}; sleep 600`],
      env: {},
      cpuMillis: 250,
      memoryMb: 128,
      workspaceMb: 64,
      start: true,
    });
    const lines = await timed("agent logs", () =>
      waitFor("the agent's first log line", 300, async () => {
        const logs = await api.agents.logs.query({ orgSlug: demo.orgSlug, agentId: agent.id });
        return logs.some((line) => line.text.includes(marker)) ? logs : null;
      }),
    );
    expect(lines.map((line) => line.text).join("\n")).toContain(marker);

    // The containers run as built: web non-root on a read-only root filesystem.
    const { stdout } = await compose("ps", "-q", "web");
    const inspected = await connectEngine(dockerHost).getContainer(stdout.trim()).inspect();
    expect(inspected.Config.User).toBe("10001:10001");
    expect(inspected.HostConfig.ReadonlyRootfs).toBe(true);
  }, 900_000);
});
