// A thousand hosts (#15): simulated hosts running the real fleet agent over HTTP against a
// real control plane (the worker API's handlers and the job runner's fleet controller, in a
// child process: fleet-scale-control-plane.ts) on a fresh database with organisations and
// agents. Only the sandbox under each host is simulated (simulated-host.ts). Measures:
//   placement     every organisation's sandbox needed at once: until the fleet controller
//                 placed them all, and until every agent is reported RUNNING by its host;
//   steady state  the control plane's CPU and the database's work while hosts only heartbeat,
//                 long-poll and report;
//   change        an agent stop and start through the agents service until its host acts
//                 (the write, the NOTIFY, the long-poll's answer, the desired-state fetch and
//                 a reconcile pass), p50 and p95;
//   host loss     some hosts stop at once: until every one of their sandboxes is placed on
//                 another host, and until all their agents run there again.
// Timings are judged in the bench report, never in tests.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import type { Acting } from "../server/auth/acting.ts";
import {
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../server/db/database.ts";
import { hashToken } from "../server/tokens/secret-token.ts";
import { testServerUrl, uniqueDatabaseName } from "../test/database-server.ts";
import {
  type SimulatedEvent,
  type SimulatedHost,
  simulatedHostReport,
  startSimulatedHost,
} from "./simulated-host.ts";
import { median, p95 } from "./stats.ts";

export interface FleetScaleOptions {
  hosts: number;
  orgs: number;
  agentsPerOrg: number;
  /** Hosts stopped at once in the host-loss measurement. */
  hostsLost: number;
  /** Hosts enrolling at once over HTTP. */
  enrolConcurrency: number;
  /** Hosts that enrol over HTTP; the rest are enrolled in-process and start with a credential. */
  httpEnrolments: number;
  /** Agent stop+start samples for the change latency. */
  changes: number;
  /** Seconds of steady state measured. */
  steadySeconds: number;
  heartbeatSeconds: number;
  deadlineSeconds: number;
  controllerMs: number;
  log?: (line: string) => void;
}

export const fullFleet: Omit<FleetScaleOptions, "log"> = {
  hosts: 1000,
  orgs: 2000,
  agentsPerOrg: 5,
  hostsLost: 100,
  enrolConcurrency: 4,
  httpEnrolments: 50,
  changes: 100,
  steadySeconds: 20,
  // Re-placement within 10 s needs a deadline under it: beats every 2 s, lost after 8 s.
  heartbeatSeconds: 2,
  deadlineSeconds: 8,
  controllerMs: 1000,
};

export const shortFleet: Omit<FleetScaleOptions, "log"> = {
  hosts: 20,
  orgs: 20,
  agentsPerOrg: 5,
  hostsLost: 2,
  enrolConcurrency: 4,
  httpEnrolments: 20,
  changes: 10,
  steadySeconds: 3,
  // Short deadlines keep a CI run brief, with room for a busy CI machine's pauses.
  heartbeatSeconds: 2,
  deadlineSeconds: 10,
  controllerMs: 1000,
};

export interface FleetScaleResult {
  options: Omit<FleetScaleOptions, "log">;
  /** Hosts enrolled over HTTP, and how long that took. */
  httpEnrolled: number;
  enrolMs: number;
  /** The rest, enrolled in-process (setup: enrolHost one after another). */
  preEnrolMs: number;
  /** Hosts whose fleet agent gave up while enrolling (e.g. a retried enrolment's token was spent). */
  enrolFailures: string[];
  placedMs: number;
  runningMs: number;
  steady: {
    seconds: number;
    /** The control plane process's CPU, as a share of one core. */
    cpuCores: number;
    requestsPerSecond: Record<string, number>;
    db: Record<string, number>;
  };
  changeMs: { stop: number[]; start: number[] };
  loss: {
    hosts: number;
    sandboxes: number;
    agents: number;
    /** From the hosts' stop until the controller marked them all lost. */
    lostMs: number;
    /** From the hosts' stop until every sandbox they held had another host. */
    replacedMs: number;
    /** From the hosts' stop until every agent they ran was started on another host. */
    runningMs: number;
  };
}

const clockTicks = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command: state is field 3; utime and stime are fields 14 and 15.
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

const dbCounters = [
  "xact_commit",
  "tup_returned",
  "tup_fetched",
  "tup_inserted",
  "tup_updated",
  "blks_hit",
] as const;

async function readDbCounters(client: pg.Client): Promise<Record<string, number>> {
  const { rows } = await client.query(
    `SELECT ${dbCounters.join(", ")} FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Object.fromEntries(dbCounters.map((k) => [k, Number(rows[0][k])]));
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`fleet bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function count(client: pg.Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query(sql, params);
  return Number(rows[0].n);
}

/** Orgs, agents (all to run), enrolment tokens and one user, written in bulk. */
async function seed(client: pg.Client, o: FleetScaleOptions, tokens: string[]) {
  const orgIds = Array.from({ length: o.orgs }, (_, i) => `fs-org-${i}`);
  await client.query(
    `INSERT INTO "Organization" (id, slug, name, "agentLimit", "updatedAt")
     SELECT id, id, id, $2, now() FROM unnest($1::text[]) AS id`,
    [orgIds, o.agentsPerOrg],
  );
  const agentIds: string[] = [];
  const agentOrgs: string[] = [];
  const names: string[] = [];
  for (const orgId of orgIds)
    for (let j = 0; j < o.agentsPerOrg; j++) {
      agentIds.push(`${orgId}-a${j}`);
      agentOrgs.push(orgId);
      names.push(`agent-${j}`);
    }
  await client.query(
    `INSERT INTO "Agent" (id, "orgId", name, image, command, "cpuMillis", "memoryMb",
       "workspaceMb", "desiredState", "observedState", "updatedAt")
     SELECT id, org, name, 'corral/agent-base:latest', ARRAY['sleep','infinity'], 250, 256, 128,
       'RUNNING', 'PENDING', now()
     FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, org, name)`,
    [agentIds, agentOrgs, names],
  );
  await client.query(
    `INSERT INTO "EnrolmentToken" (id, "tokenHash", description, "expiresAt")
     SELECT 'fs-token-' || n, hash, 'fleet bench', now() + interval '2 hours'
     FROM unnest($1::text[]) WITH ORDINALITY AS t(hash, n)`,
    [tokens.map(hashToken)],
  );
  const { rows } = await client.query(
    `INSERT INTO "User" (id, email, name, "updatedAt") VALUES ('fs-user', 'fleet@bench.test', 'Fleet bench', now())
     RETURNING id, email, name`,
  );
  return { orgIds, agentIds, user: rows[0] as { id: string; email: string; name: string } };
}

/**
 * The control plane child; resolves with its URL once it serves (its first line). Its log
 * lines after that (why a report was not applied, say) are passed on.
 */
async function startControlPlane(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      // BENCH_FLEET_PROFILE=<folder>: a CPU profile of the control plane, written as it stops.
      ...(process.env.BENCH_FLEET_PROFILE
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_FLEET_PROFILE}`]
        : []),
      "--import",
      "tsx",
      path.join(import.meta.dirname, "fleet-scale-control-plane.ts"),
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...env, CORRAL_LOG_FORMAT: "text" } },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`fleet bench: control plane exited (${code})`)));
    lines.once("line", (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  // Its warnings and errors are always shown; the rest only in a verbose run.
  lines.on("line", (line) => {
    if (/^[\w-]+: (warn|error|fatal): /.test(line)) console.error(`control plane: ${line}`);
    else log(`control plane: ${line}`);
  });
  return { child, url };
}

export async function runFleetScale(o: FleetScaleOptions): Promise<FleetScaleResult> {
  const { log: logTo, ...settings } = o;
  const log = logTo ?? (() => {});
  const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_bench_fleet"));
  await ensureDatabase(url);
  const stateRoot = mkdtempSync(path.join(tmpdir(), "corral-bench-fleet-"));
  const admin = new pg.Client({ connectionString: url });
  // One connection pool for every simulated host, bounded: a long-poll per host plus room
  // for heartbeats and reports (HTTP/1.1 cannot share a socket with a waiting long-poll).
  const previousDispatcher = getGlobalDispatcher();
  const dispatcher = new Agent({ connections: o.hosts + 64, keepAliveTimeout: 30_000 });
  setGlobalDispatcher(dispatcher);
  const requests = new Map<string, number>();
  const originalFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const route = String(input instanceof Request ? input.url : input)
      .replace(/^.*\/api\/worker\/v1\//, "")
      .replace(/\?.*$/, "");
    requests.set(route, (requests.get(route) ?? 0) + 1);
    return originalFetch(input, init);
  };
  let control: { child: ChildProcess; url: string } | null = null;
  const hosts: SimulatedHost[] = [];
  let prisma: { $disconnect: () => Promise<void> } | null = null;
  try {
    await migrateDatabase(url);
    await admin.connect();
    const tokens = Array.from(
      { length: o.hosts },
      () => `crle_${randomBytes(32).toString("base64url")}`,
    );
    const { orgIds, agentIds, user } = await seed(admin, o, tokens);
    const secrets = {
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
    };
    const env = {
      ...process.env,
      ...secrets,
      DATABASE_URL: url,
      CORRAL_WORKER_HEARTBEAT_SECONDS: String(o.heartbeatSeconds),
      CORRAL_WORKER_DEADLINE_SECONDS: String(o.deadlineSeconds),
      BENCH_FLEET_CONTROLLER_MS: String(o.controllerMs),
    };
    control = await startControlPlane(env, log);
    log(`fleet: control plane at ${control.url}; ${o.hosts} hosts enrolling`);

    // Started/stopped agents as the simulated drivers see them; waiters by agent.
    const started = new Map<string, SimulatedEvent>();
    const waiters = new Map<string, (e: SimulatedEvent) => void>();
    const onEvent = (e: SimulatedEvent) => {
      if (e.kind === "started") started.set(e.agentId, e);
      waiters.get(`${e.kind}:${e.agentId}`)?.(e);
    };
    // The agents service and enrolment run in this process against the same database.
    process.env.DATABASE_URL = url;
    Object.assign(process.env, secrets);
    const { createDb } = await import("../server/db/client.ts");
    const { commandAgent } = await import("../server/agents/service.ts");
    const { enrolHost } = await import("../server/fleet/enrolment.ts");
    const db = createDb(url);
    prisma = db;

    // Past the first httpEnrolments hosts, hosts are enrolled here with the same enrolHost the
    // worker API calls, and start with their stored credential (as after a restart): enrolments
    // serialise on the platform's audit chain, so a thousand over HTTP would take minutes.
    const viaHttp = Math.min(o.hosts, o.httpEnrolments);
    const preStart = performance.now();
    for (let i = viaHttp; i < o.hosts; i++) {
      const name = `sim-host-${i}`;
      const enrolled = await enrolHost(
        db,
        { ...simulatedHostReport(name), token: tokens[i] as string },
        {},
        { deadlineSeconds: o.deadlineSeconds },
      );
      if ("refused" in enrolled)
        throw new Error(`fleet bench: ${name} refused: ${enrolled.refused}`);
      const stateDir = path.join(stateRoot, `host-${i}`);
      mkdirSync(stateDir, { recursive: true, mode: 0o700 });
      const stored = { ...enrolled, controlPlane: control.url };
      writeFileSync(path.join(stateDir, "credential.json"), JSON.stringify(stored), {
        mode: 0o600,
      });
    }
    const preEnrolMs = performance.now() - preStart;

    const enrolStart = performance.now();
    // Hosts come up a few at a time, as a fleet being installed would: a thousand enrolments
    // at once time out, and a retried enrolment finds its one-time token spent (see README).
    let enrolling = 0;
    let httpEnrolledCount = 0;
    let httpEnrolMs = 0;
    const enrolLimitMs = 300_000;
    for (let i = 0; i < o.hosts; i++) {
      // Hosts with a stored credential start in steps of 50 (their first call is a heartbeat).
      if (i >= viaHttp && (i - viaHttp) % 50 === 0) await new Promise((r) => setTimeout(r, 250));
      while (enrolling >= o.enrolConcurrency) {
        if (performance.now() - enrolStart > enrolLimitMs)
          throw new Error(
            `fleet bench: only ${i - enrolling} hosts enrolled in ${enrolLimitMs / 1000} s`,
          );
        await new Promise((r) => setTimeout(r, 5));
      }
      if (i < viaHttp) enrolling++;
      let counted = i >= viaHttp;
      const enrolled = () => {
        if (counted) return;
        counted = true;
        enrolling--;
        if (++httpEnrolledCount === viaHttp) httpEnrolMs = performance.now() - enrolStart;
      };
      const host = startSimulatedHost({
        controlPlaneUrl: control.url,
        name: `sim-host-${i}`,
        enrolmentToken: tokens[i] as string,
        stateDir: path.join(stateRoot, `host-${i}`),
        onEvent,
        log: (line) => {
          if (line.startsWith("enrolled")) enrolled();
          else if (!line.startsWith("reporting")) log(`sim-host-${i}: ${line}`);
        },
      });
      host.done.then(enrolled);
      hosts.push(host);
    }
    const failed = () => hosts.filter((h) => h.failure());
    await until(
      "every host to enrol",
      Math.max(10_000, enrolLimitMs - (performance.now() - enrolStart)),
      async () =>
        (await count(admin, `SELECT count(*) AS n FROM "WorkerHost"`)) + failed().length >= o.hosts,
    );
    const enrolMs = performance.now() - enrolStart;
    const enrolFailures = failed().map((h) => `${h.name}: ${h.failure()}`);
    for (const f of enrolFailures.slice(0, 3)) log(`fleet: host gave up: ${f}`);
    if (!httpEnrolMs) httpEnrolMs = enrolMs;
    log(`fleet: ${o.hosts} hosts up in ${Math.round(enrolMs)} ms (${viaHttp} enrolled over HTTP)`);

    // Placement: every organisation needs its sandbox at once.
    const placeStart = performance.now();
    await admin.query(
      `INSERT INTO "Sandbox" (id, "orgId", "updatedAt") SELECT 'sbx-' || id, id, now() FROM unnest($1::text[]) AS id`,
      [orgIds],
    );
    await until(
      "every sandbox to be placed",
      600_000,
      async () =>
        (await count(admin, `SELECT count(*) AS n FROM "Sandbox" WHERE "hostId" IS NULL`)) === 0,
    );
    const placedMs = performance.now() - placeStart;
    log(`fleet: ${o.orgs} sandboxes placed in ${Math.round(placedMs)} ms`);
    await until(
      "every agent to run",
      600_000,
      async () =>
        (await count(
          admin,
          `SELECT count(*) AS n FROM "Agent" WHERE "observedState" = 'RUNNING'`,
        )) === agentIds.length,
    );
    const runningMs = performance.now() - placeStart;
    log(`fleet: ${agentIds.length} agents running in ${Math.round(runningMs)} ms`);

    // Steady state: nothing changes; hosts heartbeat, long-poll and report.
    await new Promise((r) => setTimeout(r, Math.min(10, o.heartbeatSeconds * 2) * 1000));
    const pid = control.child.pid as number;
    const cpu0 = cpuSecondsOf(pid);
    const db0 = await readDbCounters(admin);
    requests.clear();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, o.steadySeconds * 1000));
    const seconds = (performance.now() - t0) / 1000;
    const cpuCores = (cpuSecondsOf(pid) - cpu0) / seconds;
    // Statistics reach pg_stat_database within a second of a transaction's end.
    await new Promise((r) => setTimeout(r, 1100));
    const db1 = await readDbCounters(admin);
    const steady = {
      seconds,
      cpuCores,
      requestsPerSecond: Object.fromEntries(
        [...requests].map(([route, n]) => [route, n / seconds]),
      ),
      db: Object.fromEntries(dbCounters.map((k) => [k, ((db1[k] ?? 0) - (db0[k] ?? 0)) / seconds])),
    };
    log(`fleet: steady state measured over ${seconds.toFixed(1)} s`);

    // Desired-state changes: an agent stop, then a start, through the agents service.
    const acting: Acting = {
      user: { id: user.id, email: user.email, name: user.name, emailVerified: true },
      role: "OWNER",
      audit: { type: "USER", id: user.id, name: user.email },
    };
    const event = (kind: SimulatedEvent["kind"], agentId: string, generation?: number) =>
      new Promise<SimulatedEvent>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`fleet bench: no ${kind} for ${agentId}`)),
          60_000,
        );
        waiters.set(`${kind}:${agentId}`, (e) => {
          if (generation !== undefined && e.generation !== generation) return;
          clearTimeout(timer);
          waiters.delete(`${kind}:${agentId}`);
          resolve(e);
        });
      });
    const changeMs = { stop: [] as number[], start: [] as number[] };
    for (let i = 0; i < o.changes; i++) {
      const agentId = agentIds[Math.floor(Math.random() * agentIds.length)] as string;
      const orgId = agentId.replace(/-a\d+$/, "");
      const stopped = event("stopped", agentId);
      let t = performance.now();
      await commandAgent(db, acting, orgId, agentId, "stop", {});
      changeMs.stop.push((await stopped).at - t);
      t = performance.now();
      // Listening before the command: a host can start the agent before the command's own
      // promise settles here (the simulated hosts share this process), and the first start
      // after the stop is this one.
      const run = event("started", agentId);
      await commandAgent(db, acting, orgId, agentId, "start", {});
      changeMs.start.push((await run).at - t);
    }
    log(`fleet: ${o.changes} stop/start changes measured`);

    // Host loss: stop hosts that hold sandboxes, all at once.
    const { rows: victims } = await admin.query<{ id: string; name: string }>(
      `SELECT h.id, h.name FROM "WorkerHost" h WHERE EXISTS (SELECT 1 FROM "Sandbox" s WHERE s."hostId" = h.id)
       ORDER BY h.name LIMIT $1`,
      [o.hostsLost],
    );
    const victimIds = victims.map((v) => v.id);
    const { rows: lostOrgs } = await admin.query<{ orgId: string }>(
      `SELECT "orgId" FROM "Sandbox" WHERE "hostId" = ANY($1::text[])`,
      [victimIds],
    );
    const orphanIds = lostOrgs.map((r) => r.orgId);
    const orphanAgents = agentIds.filter((id) => orphanIds.includes(id.replace(/-a\d+$/, "")));
    const victimNames = new Set(victims.map((v) => v.name));
    for (const id of orphanAgents) started.delete(id);
    const lossStart = performance.now();
    for (const h of hosts) if (victimNames.has(h.name)) h.stop();
    let lostMs = 0;
    await until("the stopped hosts' sandboxes to be re-placed", 300_000, async () => {
      if (
        !lostMs &&
        (await count(
          admin,
          `SELECT count(*) AS n FROM "WorkerHost" WHERE id = ANY($1::text[]) AND "lostAt" IS NOT NULL`,
          [victimIds],
        )) === victimIds.length
      )
        lostMs = performance.now() - lossStart;
      return (
        (await count(
          admin,
          `SELECT count(*) AS n FROM "Sandbox" WHERE "orgId" = ANY($1::text[])
             AND ("hostId" IS NULL OR "hostId" = ANY($2::text[]))`,
          [orphanIds, victimIds],
        )) === 0
      );
    });
    const replacedMs = performance.now() - lossStart;
    if (!lostMs) lostMs = replacedMs;
    await until("the moved agents to run again", 300_000, async () =>
      orphanAgents.every((id) => {
        const e = started.get(id);
        return e !== undefined && !victimNames.has(e.host);
      }),
    );
    const lossRunningMs = Math.max(
      ...orphanAgents.map((id) => (started.get(id)?.at ?? lossStart) - lossStart),
    );
    log(`fleet: ${victimIds.length} hosts lost; ${orphanIds.length} sandboxes re-placed`);

    return {
      options: settings,
      httpEnrolled: viaHttp,
      enrolMs: httpEnrolMs,
      preEnrolMs,
      enrolFailures,
      placedMs,
      runningMs,
      steady,
      changeMs,
      loss: {
        hosts: victimIds.length,
        sandboxes: orphanIds.length,
        agents: orphanAgents.length,
        lostMs,
        replacedMs,
        runningMs: lossRunningMs,
      },
    };
  } finally {
    for (const h of hosts) h.stop();
    await Promise.allSettled(hosts.map((h) => h.done));
    if (control) {
      const exited = new Promise((r) => control?.child.once("exit", r));
      control.child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (control.child.exitCode === null) control.child.kill("SIGKILL");
    }
    await prisma?.$disconnect();
    globalThis.fetch = originalFetch;
    setGlobalDispatcher(previousDispatcher);
    await dispatcher.close().catch(() => undefined);
    await admin.end().catch(() => undefined);
    await dropDatabase(url);
    rmSync(stateRoot, { recursive: true, force: true });
  }
}

export const summarise = { median, p95 };
