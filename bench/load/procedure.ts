// agents.list in-process, without HTTP or Next: the procedure ladder (session context,
// tenant access, RLS-scoped client) and the query, many times at a fixed concurrency,
// reporting the CPU time and latency per call. Run under `node --cpu-prof` to see where a
// read's CPU goes without a production build:
//   npx tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/load/procedure.ts
// BENCH_CALLS (default 3000), BENCH_CONCURRENCY (default 16).
import "../tasks-preload.ts";
import { randomBytes } from "node:crypto";
import pg from "pg";
import superjson from "superjson";
import { createDb } from "../../server/db/client.ts";
import {
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../../server/db/database.ts";
import { testServerUrl, uniqueDatabaseName } from "../../test/database-server.ts";
import { median, p95 } from "../stats.ts";

// Statements sent to PostgreSQL (BEGIN, set_config and COMMIT included): unlike timings on a
// shared machine, a count that does not move with the load.
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  if (process.env.BENCH_SHOW_SQL === "1") {
    const first = args[0] as string | { text: string };
    console.log(`sql: ${(typeof first === "string" ? first : first.text).slice(0, 160)}`);
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

const calls = Number(process.env.BENCH_CALLS ?? 3000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_bench_proc"));
await ensureDatabase(url);
await migrateDatabase(url);
Object.assign(process.env, {
  DATABASE_URL: url,
  AUTH_SECRET: randomBytes(32).toString("base64url"),
  CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
});
const { createCaller } = await import("../../server/root-router.ts");
const db = createDb(url);
try {
  const user = await db.user.create({
    data: { email: "proc@example.test", name: "Proc", emailVerifiedAt: new Date() },
  });
  const org = await db.organization.create({
    data: {
      slug: "proc-bench",
      name: "Proc",
      agentLimit: 1000,
      cpuQuotaMillis: 1_000_000,
      memoryQuotaMb: 1_000_000,
      memberships: { create: [{ userId: user.id, role: "OWNER" }] },
    },
  });
  const request = { ipAddress: "127.0.0.1", userAgent: "bench", requestId: "bench" };
  const sessionUser = { id: user.id, email: user.email, name: user.name, emailVerified: true };
  const caller = createCaller({ db, session: { id: "bench", user: sessionUser }, request });
  for (let i = 0; i < 50; i++)
    await caller.agents.create({
      orgSlug: org.slug,
      name: `agent-${i}`,
      image: "corral/agent-base:latest",
      command: ["sleep", "infinity"],
      env: { MODE: "bench" },
      cpuMillis: 100,
      memoryMb: 64,
      workspaceMb: 64,
    });
  const measure = async (name: string, call: () => Promise<unknown>) => {
    const one = async () => {
      const t0 = performance.now();
      superjson.stringify(await call());
      return performance.now() - t0;
    };
    for (let i = 0; i < 200; i++) await one(); // warm the JIT and the query caches
    const before = statements;
    const single: number[] = [];
    for (let i = 0; i < 300; i++) single.push(await one());
    const perCall = (statements - before) / 300;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < calls) await one();
      }),
    );
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const result = {
      p50: median(single),
      rps: (calls / wall) * 1000,
      cpuMs: (cpu.user + cpu.system) / 1000 / calls,
    };
    console.log(
      `${name} in-process: ${perCall} statements a call; 1 caller p50 ${result.p50.toFixed(2)} ms ` +
        `p95 ${p95(single).toFixed(2)} ms; ${concurrency} callers ${result.rps.toFixed(0)} calls/s, ` +
        `CPU ${result.cpuMs.toFixed(2)} ms a call`,
    );
    return result;
  };
  const ping = await measure("health.ping", () => caller.health.ping());
  const list = await measure("agents.list", () => caller.agents.list({ orgSlug: org.slug }));
  console.log(
    `agents.list ÷ ping: ${(list.rps / ping.rps).toFixed(2)}× calls/s, ` +
      `CPU ${(list.cpuMs - ping.cpuMs).toFixed(2)} ms a call more`,
  );
} finally {
  await db.$disconnect();
  await dropDatabase(url);
}
