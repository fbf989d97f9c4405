// The web app under load, on loopback, against its production build:
//   baseline    health.ping, the server's cheapest tRPC procedure (no session, no database);
//   hot reads   agents.list (50 agents, by sessions and by API keys), organizations.overview,
//               audit.list (one page) and fleet.hosts (operator sessions);
//   writes      agents.create, agents.command stop, invitations.create (mail to a local sink);
//   two         the same baseline and agents.list against two web processes at once.
// Every figure is also given as a ratio of the baseline measured in the same run, since the
// load tool, PostgreSQL and the server share this machine's cores.
//
// `--short` or BENCH_SHORT=1: a fraction of a second per scenario (what CI runs, to prove
// the bench works; its timings mean nothing). BENCH_LOAD_SECONDS sets the full run's seconds
// per scenario (default 5), BENCH_LOAD_CONNECTIONS its concurrent clients (default 16).
// BENCH_LOAD_PROFILE=<dir> runs the first server under `node --cpu-prof` into <dir>.
// Bounded: about 14 scenarios × the seconds each, plus ~20 s of setup (a build, if the
// production build is missing or older than the sources, adds a few minutes).
import { randomBytes } from "node:crypto";
import os from "node:os";
import { encode } from "next-auth/jwt";
import { SMTPServer } from "smtp-server";
import { createApiKey } from "../server/api-keys/service.ts";
import type { Acting } from "../server/auth/acting.ts";
import { createSession } from "../server/auth/sessions.ts";
import { createDb } from "../server/db/client.ts";
import {
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../server/db/database.ts";
import { scopedDb } from "../server/db/tenant-scope.ts";
import { testServerUrl, uniqueDatabaseName } from "../test/database-server.ts";
import { ensureBuild } from "./load/build.ts";
import { type RunResult, runScenario } from "./load/scenario.ts";
import { startWebServer, type WebServer } from "./load/web-server.ts";
import { recordPercentiles } from "./results.ts";

const short = process.argv.includes("--short") || process.env.BENCH_SHORT === "1";
const seconds = short ? 0.6 : Number(process.env.BENCH_LOAD_SECONDS ?? 5);
const connections = short ? 4 : Number(process.env.BENCH_LOAD_CONNECTIONS ?? 16);
const agentCount = 50;
const sessionCount = short ? 4 : 24;
const keyCount = short ? 4 : 24;
const run = randomBytes(3).toString("hex");

await ensureBuild();

const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_bench_load"));
await ensureDatabase(url);
await migrateDatabase(url);

// A mail sink, so invitations are really sent (and quickly: no greeting delay).
let mailed = 0;
const sink = new SMTPServer({
  authOptional: true,
  disableReverseLookup: true,
  // Plain SMTP on loopback: its built-in certificate would fail the mailer's TLS check.
  hideSTARTTLS: true,
  onData(stream, _session, done) {
    stream.resume();
    stream.on("end", () => {
      mailed++;
      done();
    });
  },
});
await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
const sinkPort = (sink.server.address() as { port: number }).port;

const authSecret = randomBytes(32).toString("base64url");
const env = {
  DATABASE_URL: url,
  AUTH_SECRET: authSecret,
  CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
  CORRAL_SMTP_URL: `smtp://127.0.0.1:${sinkPort}`,
  // The load tool names a client address per request, so per-network limits see many.
  CORRAL_TRUSTED_PROXIES: "127.0.0.1",
};
Object.assign(process.env, env);

const db = createDb(url);
const servers: WebServer[] = [];
try {
  // ── The organisation: owners (sessions), their API keys, 50 agents, an operator. ──
  const users = await Promise.all(
    Array.from({ length: sessionCount }, (_, i) =>
      db.user.create({
        data: {
          email: `load-${run}-${i}@example.test`,
          name: `Load ${i}`,
          emailVerifiedAt: new Date(),
          isOperator: i === 0,
        },
      }),
    ),
  );
  const org = await db.organization.create({
    data: {
      slug: `load-${run}`,
      name: `Load ${run}`,
      agentLimit: 100_000,
      cpuQuotaMillis: 1_000_000_000,
      memoryQuotaMb: 1_000_000_000,
      seatLimit: 100_000,
      memberships: { create: users.map((u) => ({ userId: u.id, role: "OWNER" as const })) },
    },
  });
  const request = { ipAddress: "127.0.0.1", userAgent: "bench", requestId: "bench" };
  const actingAs = (u: (typeof users)[number]): Acting => ({
    user: { id: u.id, email: u.email, name: u.name, emailVerified: true },
    role: "OWNER",
    audit: { type: "USER", id: u.id, name: u.email },
  });
  const tenantDb = scopedDb(db, org.id);
  const owner = users[0];
  if (!owner) throw new Error("no users");
  // Agents and their audit events, written through the API as a person would.
  await import("./tasks-preload.ts"); // "server-only" modules, outside Next
  const { createCaller } = await import("../server/root-router.ts");
  const asOwner = createCaller({
    db,
    session: { id: "bench", user: actingAs(owner).user },
    request,
  });
  for (let i = 0; i < agentCount; i++)
    await asOwner.agents.create({
      orgSlug: org.slug,
      name: `agent-${i}`,
      image: "corral/agent-base:latest",
      command: ["sleep", "infinity"],
      env: { MODE: "bench" },
      cpuMillis: 100,
      memoryMb: 64,
      workspaceMb: 64,
    });
  const cookies = await Promise.all(
    users.map(async (u) => {
      const sid = await db.$transaction((tx) => createSession(tx, u.id, 2, request));
      const token = await encode({
        token: { sid },
        secret: authSecret,
        salt: "authjs.session-token",
      });
      return `authjs.session-token=${token}`;
    }),
  );
  const keys: string[] = [];
  for (let i = 0; i < keyCount; i++) {
    const u = users[i % users.length];
    if (!u) continue;
    const key = await createApiKey(
      tenantDb,
      actingAs(u),
      org.id,
      {
        name: `load ${i}`,
        scopes: ["agent.read", "agent.manage", "org.read", "audit.read"],
        expiresInDays: null,
      },
      request,
    );
    keys.push(key.secret);
  }

  // ── The servers. ──
  const profileDir = process.env.BENCH_LOAD_PROFILE;
  servers.push(await startWebServer({ env, profileDir }));

  const one = servers[0] as WebServer;
  const slug = org.slug;
  const input = (value: unknown) => encodeURIComponent(JSON.stringify({ json: value }));
  const sessions = cookies.map((cookie) => ({ cookie }));
  const apiKeys = keys.map((k) => ({ authorization: `Bearer ${k}` }));
  const operator = [{ cookie: cookies[0] as string }];
  const get = (procedure: string, value: unknown) =>
    `/api/trpc/${procedure}${value === undefined ? "" : `?input=${input(value)}`}`;
  const options = { seconds, connections };

  const results: RunResult[] = [];
  // BENCH_LOAD_ONLY=<name prefix> runs only the scenarios whose names start with it (to
  // profile one of them with BENCH_LOAD_PROFILE).
  const only = process.env.BENCH_LOAD_ONLY;
  const wanted = (name: string) => !only || name.startsWith(only);
  const scenario = async (
    target: WebServer | WebServer[],
    name: string,
    scenarioOptions: Parameters<typeof runScenario>[2],
  ) => {
    if (!wanted(name)) return;
    const r = await runScenario(target, name, scenarioOptions);
    results.push(r);
    console.log(`bench/load: ${r.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms`);
  };

  const ping = get("health.ping", undefined);
  // A fresh process compiles each route on first use: warm every one before measuring, and
  // stop early, in words, if a route does not answer as it should.
  const warm = async (server: WebServer) => {
    const reads: [string, Record<string, string>][] = [
      [ping, {}],
      [get("agents.list", { orgSlug: slug }), sessions[0] ?? {}],
      [get("agents.list", { orgSlug: slug }), apiKeys[0] ?? {}],
      [get("organizations.overview", { orgSlug: slug }), sessions[0] ?? {}],
      [get("audit.list", { orgSlug: slug, limit: 50 }), sessions[0] ?? {}],
      [get("fleet.hosts", undefined), operator[0] ?? {}],
    ];
    for (let round = 0; round < (short ? 3 : 40); round++)
      for (const [at, headers] of reads) {
        const response = await fetch(`http://127.0.0.1:${server.port}${at}`, { headers });
        const body = await response.text();
        if (!response.ok)
          throw new Error(`${at} answered ${response.status}: ${body.slice(0, 300)}`);
      }
  };
  await warm(one);
  const list = get("agents.list", { orgSlug: slug });
  // One client, one request at a time: the latency a single person sees.
  await scenario(one, "ping, 1 client", { ...options, connections: 1, path: ping });
  await scenario(one, "agents.list, 1 client", {
    ...options,
    connections: 1,
    path: list,
    credentials: sessions,
  });
  await scenario(one, "ping", { ...options, path: ping });
  await scenario(one, "agents.list (sessions)", {
    ...options,
    path: list,
    credentials: sessions,
  });
  await scenario(one, "agents.list (API keys)", {
    ...options,
    path: list,
    credentials: apiKeys,
  });
  await scenario(one, "organizations.overview", {
    ...options,
    path: get("organizations.overview", { orgSlug: slug }),
    credentials: sessions,
  });
  await scenario(one, "audit.list (a page of 50)", {
    ...options,
    path: get("audit.list", { orgSlug: slug, limit: 50 }),
    credentials: [...sessions, ...apiKeys],
  });
  await scenario(one, "fleet.hosts (operator)", {
    ...options,
    path: get("fleet.hosts", undefined),
    credentials: operator,
  });

  // Two web processes: the load split between them (one balancer would take a core too).
  // Before the writes, which add agents to the organisation the reads list.
  if (wanted("ping, 2 processes") || wanted("agents.list (sessions), 2 processes")) {
    servers.push(await startWebServer({ env }));
    await warm(servers[1] as WebServer);
  }
  const two = servers.slice(0, 2);
  await scenario(two, "ping, 2 processes", { ...options, path: ping });
  await scenario(two, "agents.list (sessions), 2 processes", {
    ...options,
    path: list,
    credentials: sessions,
  });

  // Writes: new agents, stopping them, and invitations, spread over members and addresses.
  let made = 0;
  await scenario(one, "agents.create", {
    ...options,
    method: "POST",
    path: "/api/trpc/agents.create",
    credentials: [...sessions, ...apiKeys],
    body: () =>
      JSON.stringify({
        json: {
          orgSlug: slug,
          name: `w-${run}-${made++}`,
          image: "corral/agent-base:latest",
          cpuMillis: 100,
          memoryMb: 64,
          workspaceMb: 64,
        },
      }),
  });
  const agentIds = (
    await tenantDb.agent.findMany({ where: { orgId: org.id }, select: { id: true } })
  ).map((a) => a.id);
  let stopped = 0;
  await scenario(one, "agents.command stop", {
    ...options,
    method: "POST",
    path: "/api/trpc/agents.command",
    credentials: [...sessions, ...apiKeys],
    body: () =>
      JSON.stringify({
        json: {
          orgSlug: slug,
          agentId: agentIds[stopped++ % agentIds.length],
          command: "stop",
        },
      }),
  });
  // Invitations are limited to 30 a person an hour; a refusal would show as an error.
  let invited = 0;
  await scenario(one, "invitations.create", {
    ...options,
    method: "POST",
    path: "/api/trpc/invitations.create",
    credentials: sessions,
    body: () =>
      JSON.stringify({
        json: {
          orgSlug: slug,
          email: `invitee-${run}-${invited++}@example.test`,
          role: "MEMBER",
        },
      }),
  });

  for (const s of servers) await s.stop();
  servers.length = 0;

  for (const r of results)
    recordPercentiles({ section: "load", name: r.name, p50: r.p50, p95: r.p95, p99: r.p99 });
  const report = loadReport(results, { seconds, connections, short, mailed });
  console.log(report);
  (globalThis as { benchLoadResults?: RunResult[] }).benchLoadResults = results;
} finally {
  for (const s of servers) await s.stop();
  await db.$disconnect();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
  await dropDatabase(url);
}

function loadReport(
  results: RunResult[],
  setup: { seconds: number; connections: number; short: boolean; mailed: number },
): string {
  const find = (name: string) => results.find((r) => r.name === name);
  const base = find("ping");
  const base1 = find("ping, 1 client");
  const base2 = find("ping, 2 processes");
  const rows = results.map((r) => {
    const baseline = r.name.endsWith("1 client")
      ? base1
      : r.name.endsWith("2 processes")
        ? base2
        : base;
    const ratio = baseline && baseline.rps > 0 ? (r.rps / baseline.rps).toFixed(2) : "–";
    const cpu = r.cpuMsPerRequest === null ? "–" : r.cpuMsPerRequest.toFixed(2);
    return `| ${r.name} | ${r.connections} | ${r.requests} | ${r.rps.toFixed(0)} | ${ratio}× | ${r.p50} | ${r.p95} | ${r.p99} | ${r.errors} | ${cpu} |`;
  });
  const refusals = results
    .filter((r) => r.firstError)
    .map((r) => `- ${r.name}, first refusal: \`${r.firstError?.replace(/`/g, "'")}\``);
  const listRps = find("agents.list (sessions)")?.rps ?? 0;
  const list2 = find("agents.list (sessions), 2 processes")?.rps ?? 0;
  const listOne = find("agents.list, 1 client");
  const goals = [
    `- agents.list ÷ ping (${setup.connections} clients): ${base ? (listRps / base.rps).toFixed(2) : "–"}× (goal ≥ 0.6×)`,
    `- agents.list p50, 1 client: ${listOne?.p50 ?? "–"} ms (goal ≤ 3 ms)`,
    `- agents.list, 2 processes ÷ 1: ${listRps > 0 ? (list2 / listRps).toFixed(2) : "–"}× (goal ≥ 1.7×)`,
  ];
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}; load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(
      " / ",
    )} (other work shares this machine: ratios, not absolute figures, are what to compare)`;
  return [
    `## Load (${setup.short ? "short mode: timings mean nothing" : `${setup.seconds} s a scenario`})`,
    "",
    `Machine: ${machine}.`,
    "",
    `Baseline: health.ping on the same server in the same run (the 1-client and 2-process rows are compared with ping under the same conditions). CPU ms/req is the web processes' user+system time over requests answered. ${setup.mailed} invitation mails reached the sink.`,
    "",
    "| scenario | clients | requests | req/s | ÷ ping | p50 ms | p95 ms | p99 ms | errors | CPU ms/req |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
    ...refusals,
    "",
    ...goals,
    "",
  ].join("\n");
}
