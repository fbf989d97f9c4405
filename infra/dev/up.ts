// `npm run up`: the whole system on one machine — database (embedded PostgreSQL unless
// DATABASE_URL is set), migrations, demo data, a production build of the web app on :3000
// and one local worker — then the URL and demo credentials. Ctrl-C stops everything.
// `--web-processes N` runs N web processes (on PORT+1…PORT+N, metrics on
// CORRAL_METRICS_PORT+0…N−1) behind a round-robin balancer on PORT: the horizontal web tier.
// First: is this Node.js one the dependencies support? (One line and exit 1 if not.)
import "../host/check-node.mjs";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, describeError } from "../../common/errors.ts";
import { demo, demoModel, seedDemo } from "../../prisma/seed.ts";
import { createDb } from "../../server/db/client.ts";
import {
  describeServer,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../../server/db/database.ts";
import { type RunningPostgres, startEmbeddedPostgres } from "../../server/db/embedded.ts";
import { createEnrolmentToken } from "../../server/fleet/enrolment.ts";
import type { HealthReport } from "../../server/health/health.ts";
import { connectEngine, describeEngine } from "../../worker/engine/docker-engine.ts";
import { ensureImages } from "../images/ensure-images.ts";
import { type Balancer, startBalancer } from "./balancer.ts";
import { type DemoModel, start as startDemoModel } from "./demo-model.ts";
import { loadLocalSecrets } from "./local-secrets.ts";
import { type MailSink, startMailSink } from "./mail-sink.ts";
import { runStep, Supervisor } from "./supervisor.ts";

const { values: flags } = parseArgs({
  options: {
    "no-build": { type: "boolean", default: false },
    "web-processes": { type: "string", default: "1" },
  },
});
const webProcesses = Number(flags["web-processes"]);

const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(process.env.CORRAL_DATA_DIR ?? ".corral");
const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
const appUrl = `http://localhost:${port}`;
/** Where the web app listens: loopback unless CORRAL_BIND_HOST says otherwise (e.g. 0.0.0.0). */
const bindHost = process.env.CORRAL_BIND_HOST ?? "127.0.0.1";
const node = process.execPath;
const nextBin = path.resolve("node_modules/next/dist/bin/next");

const supervisor = new Supervisor();
let embedded: RunningPostgres | null = null;
let mailSink: MailSink | null = null;
let demoModelServer: DemoModel | null = null;
let balancer: Balancer | null = null;
let stopping = false;

async function step<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  process.stdout.write(`▸ ${label}…\n`);
  const result = await work();
  console.log(`✓ ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

async function waitForHealth(
  ready: (h: HealthReport) => boolean,
  seconds: number,
  what: string,
  base = appUrl,
) {
  const deadline = Date.now() + seconds * 1000;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(2000) });
      const report = (await res.json()) as HealthReport;
      if (ready(report)) return;
      last = JSON.stringify(report);
    } catch (error) {
      last = describeError(error);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${what} not ready after ${seconds} s (last health: ${last})`);
}

async function assertPortFree(p: number) {
  const inUse = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: "localhost", port: p }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
  if (inUse) throw new Error(`port ${p} is already in use (another Corral running?); set PORT`);
}

/** Waits for health, failing at once if a supervised process dies meanwhile. */
async function waitForStart(
  ready: (h: HealthReport) => boolean,
  seconds: number,
  what: string,
  base = appUrl,
) {
  const died = supervisor.firstExit().then(({ name, code }) => {
    throw new Error(`${name} exited during start (exit code ${code}); see its output above`);
  });
  await Promise.race([waitForHealth(ready, seconds, what, base), died]);
}

async function main() {
  if (!Number.isInteger(webProcesses) || webProcesses < 1 || webProcesses > 8)
    throw new ConfigError("--web-processes takes a number from 1 to 8");
  const secrets = await loadLocalSecrets(dataDir);
  const webPorts =
    webProcesses === 1 ? [port] : Array.from({ length: webProcesses }, (_, i) => port + 1 + i);
  for (const p of new Set([port, ...webPorts])) await assertPortFree(p);

  const engine = await step("checking the Docker engine", () =>
    describeEngine(connectEngine(dockerHost), dockerHost),
  );
  // Sandboxes run a private engine in a privileged container: sysbox-runc where installed,
  // runc-privfix on hosts that need it (see README), plain runc otherwise.
  const sandboxRuntime =
    process.env.CORRAL_SANDBOX_RUNTIME ??
    ["sysbox-runc", "runc-privfix"].find((r) => engine.runtimes.includes(r)) ??
    "runc";
  await step("building the sandbox and agent images (the first time takes about a minute)", () =>
    ensureImages(connectEngine(dockerHost), { log: (line) => console.log(`  ${line}`) }),
  );

  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must be a postgresql:// URL");
  }
  if (!databaseUrl) {
    const pgDir = path.join(dataDir, "postgres");
    const pgPort = Number(process.env.CORRAL_EMBEDDED_PG_PORT ?? 54329);
    embedded = await step(`starting embedded PostgreSQL on :${pgPort} (${pgDir})`, () =>
      startEmbeddedPostgres({
        dataDir: pgDir,
        port: pgPort,
        password: secrets.embeddedPgPassword,
        log: (line) => console.log(`  ${line}`),
      }),
    );
    databaseUrl = withDatabase(embedded.url, "corral");
  }
  // The demo model: a local stand-in for a model provider, so the demo agent runs tasks with
  // no key. Agents reach it only through the gateway, by the name demoModel.host.
  const demoModelPort = Number(process.env.CORRAL_DEMO_MODEL_PORT ?? demoModel.port);
  demoModelServer = await step(`starting the demo model on :${demoModelPort}`, () =>
    startDemoModel({ port: demoModelPort }),
  );

  const dbUrl = databaseUrl;
  const workerName = process.env.CORRAL_WORKER_NAME ?? "local";
  let enrolmentToken = "";
  await step(`preparing database at ${describeServer(dbUrl)}`, async () => {
    await ensureDatabase(dbUrl);
    await migrateDatabase(dbUrl);
    const db = createDb(dbUrl);
    try {
      await seedDemo(db, secrets.demoPassword, { secretKey: secrets.secretKey, demoModelPort });
      // The local worker enrols with this (or keeps the credential it already has).
      enrolmentToken = (
        await createEnrolmentToken(
          db,
          { type: "SYSTEM", name: "npm run up" },
          {
            description: "local worker",
            ttlHours: 1,
            // up is the operator of this machine: its worker may take its own name back.
            hostName: workerName,
            replaceHost: true,
          },
          {},
        )
      ).token;
    } finally {
      await db.$disconnect();
    }
  });

  // Real SMTP when configured; otherwise a local sink whose mail shows at /dev/mail.
  if (!process.env.CORRAL_SMTP_URL) {
    const smtpPort = Number(process.env.CORRAL_MAIL_SINK_PORT ?? 2525);
    const httpPort = Number(process.env.CORRAL_MAIL_SINK_HTTP_PORT ?? 2580);
    mailSink = await step(`starting the development mail sink (SMTP :${smtpPort})`, () =>
      startMailSink({ smtpPort, httpPort }),
    );
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Readable lines in a terminal, JSON lines otherwise (common/logger.ts): the processes
    // write to a pipe here, so they are told what this one's output is.
    CORRAL_LOG_FORMAT: process.env.CORRAL_LOG_FORMAT ?? (process.stdout.isTTY ? "text" : "json"),
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: dbUrl,
    AUTH_SECRET: secrets.authSecret,
    AUTH_URL: appUrl,
    CORRAL_SECRET_KEY: secrets.secretKey,
    ...(mailSink && { CORRAL_SMTP_URL: mailSink.smtpUrl, CORRAL_MAIL_SINK_URL: mailSink.httpUrl }),
  };

  if (flags["no-build"] && !existsSync(".next/BUILD_ID")) {
    throw new ConfigError(
      "--no-build was given but there is no production build: run `npm run build`",
    );
  }
  if (!flags["no-build"]) {
    await step("building the web app (next build)", () =>
      runStep("build", node, [nextBin, "build"], env),
    );
  }

  const metricsPort = process.env.CORRAL_METRICS_PORT;
  const webs = webProcesses === 1 ? "the web app" : `${webProcesses} web processes`;
  await step(`starting ${webs} on ${appUrl}`, async () => {
    for (const [i, webPort] of webPorts.entries()) {
      // Loopback unless told otherwise: a development deployment is not for the network.
      // Behind the balancer, each process listens on loopback and trusts only it.
      supervisor.start(
        webProcesses === 1 ? "web" : `web-${i + 1}`,
        node,
        ["--import", "tsx", "server/web/serve.ts"],
        {
          ...env,
          PORT: String(webPort),
          CORRAL_BIND_HOST: webProcesses === 1 ? bindHost : "127.0.0.1",
          ...(metricsPort && { CORRAL_METRICS_PORT: String(Number(metricsPort) + i) }),
          ...(webProcesses > 1 && {
            CORRAL_TRUSTED_PROXIES: [process.env.CORRAL_TRUSTED_PROXIES, "127.0.0.1"]
              .filter(Boolean)
              .join(","),
          }),
        },
      );
    }
    // Each process answers for itself before the balancer sends it anyone.
    for (const webPort of webPorts)
      await waitForStart(
        (h) => h.database?.ok === true,
        90,
        `web app on :${webPort}`,
        `http://127.0.0.1:${webPort}`,
      );
    if (webProcesses > 1)
      balancer = await startBalancer({
        port,
        host: bindHost,
        backends: webPorts.map((p) => ({ host: "127.0.0.1", port: p })),
      });
  });

  await step("starting the job runner (webhooks, retention)", async () => {
    supervisor.start("jobs", node, ["--import", "tsx", "server/jobs/main.ts"], env);
  });

  await step("starting the local worker", async () => {
    supervisor.start("worker", node, ["--import", "tsx", "worker/main.ts"], {
      ...process.env,
      CORRAL_LOG_FORMAT: env.CORRAL_LOG_FORMAT,
      CORRAL_CONTROL_PLANE_URL: appUrl,
      CORRAL_ENROLMENT_TOKEN: enrolmentToken,
      CORRAL_WORKER_STATE_DIR: path.join(dataDir, "worker"),
      CORRAL_SANDBOX_DIR: path.join(dataDir, "sandboxes"),
      CORRAL_SANDBOX_RUNTIME: sandboxRuntime,
      CORRAL_WORKER_NAME: workerName,
      CORRAL_WORKER_LABELS: process.env.CORRAL_WORKER_LABELS ?? "zone=local",
      // The demo model listens on loopback: this gateway may reach that one address, by name.
      CORRAL_GATEWAY_ALLOW_RANGES: [process.env.CORRAL_GATEWAY_ALLOW_RANGES, "127.0.0.1/32"]
        .filter(Boolean)
        .join(","),
      CORRAL_GATEWAY_STATIC_HOSTS: [
        process.env.CORRAL_GATEWAY_STATIC_HOSTS,
        `${demoModel.host}=127.0.0.1`,
      ]
        .filter(Boolean)
        .join(","),
      DOCKER_HOST: dockerHost,
    });
    // Its first start builds missing images and compiles its code: slow on a busy machine.
    await waitForStart((h) => h.workers?.live > 0, 90, "worker", `http://127.0.0.1:${webPorts[0]}`);
  });

  console.log(
    [
      "",
      `Corral is up: ${appUrl}`,
      `  sign in as ${demo.email} / ${secrets.demoPassword}`,
      `  health:    curl ${appUrl}/api/health`,
      ...(mailSink ? [`  mail:      ${appUrl}/dev/mail (captured, not delivered)`] : []),
      "  stop:      Ctrl-C",
      "",
    ].join("\n"),
  );

  const exited = await supervisor.firstExit();
  if (stopping) return;
  throw new Error(`${exited.name} exited unexpectedly (exit code ${exited.code})`);
}

async function shutdown(code: number): Promise<never> {
  stopping = true;
  if (balancer)
    console.log(
      `balancer: requests per web process ${balancer.counts
        .map((kinds) => Object.values(kinds).reduce((a, b) => a + b, 0))
        .join(", ")}`,
    );
  await balancer?.close();
  await supervisor.stopAll();
  await mailSink?.stop();
  await demoModelServer?.close();
  await embedded?.stop();
  // Sandboxes are containers on the host engine and outlive the worker (a restarted worker
  // adopts them); `npm run down` is how they go.
  if (code === 0)
    console.log(
      "Corral stopped. Sandboxes and their agents keep running on this host; `npm run down` removes them.",
    );
  process.exit(code);
}

// One Ctrl-C reaches this process several times at once (from the terminal, and relayed by
// npm and tsx): the first starts an orderly stop, the database last, and echoes within two
// seconds are ignored. Pressing Ctrl-C again later stops at once (the database is still told
// to stop as the process exits).
let firstSignalAt = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (!firstSignalAt) {
      firstSignalAt = Date.now();
      console.log(`\n${signal}: stopping Corral… (again to stop at once)`);
      void shutdown(0);
    } else if (Date.now() - firstSignalAt > 2000) {
      console.log(`${signal} again: stopping at once`);
      process.exit(130);
    }
  });
}

main().catch(async (error: unknown) => {
  console.error(`corral: ${describeError(error)}`);
  await shutdown(1);
});
