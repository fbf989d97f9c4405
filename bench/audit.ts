// The audit log under load, on this machine, against a throwaway database:
//   ingest   chained events/s, written in batches by concurrent writers over many
//            organisations, against the same rows inserted the same way into a copy of the
//            table without lock, chain head or hash (the baseline, measured in the same run);
//            plus the one-event-per-transaction path that mutations take;
//   export   CSV and NDJSON rows/s of the largest organisation, streamed in a child process
//            with its peak RSS, against a bare COPY of the same rows;
//   queries  median and p95 of three typical filtered pages, with their plans.
// Size with BENCH_AUDIT_EVENTS (default 1,000,000) and BENCH_AUDIT_ORGS (default 200).
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { auditWhere } from "../server/audit/filters.ts";
import {
  type AuditEventInput,
  appendAuditEvents,
  recordAuditEvent,
} from "../server/audit/record.ts";
import { appRole } from "../server/db/app-role.ts";
import { createDb } from "../server/db/client.ts";
import {
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../server/db/database.ts";
import { testServerUrl, uniqueDatabaseName } from "../test/database-server.ts";
import { median, p95, timed } from "./stats.ts";

const total = Number(process.env.BENCH_AUDIT_EVENTS ?? 1_000_000);
const orgCount = Number(process.env.BENCH_AUDIT_ORGS ?? 200);
const batchSize = 1000;
const writers = 4;
const singleEvents = 5000;
const singleWriters = 16;
const actions = [
  "member.invited",
  "member.joined",
  "api_key.created",
  "org.updated",
  "invitation.resent",
] as const;

const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_bench"));
await ensureDatabase(url);
await migrateDatabase(url);
const db = createDb(url);
async function asOwner(sql: string) {
  const owner = new pg.Client({ connectionString: url });
  await owner.connect();
  try {
    await owner.query(sql);
  } finally {
    await owner.end();
  }
}
const log = (line: string) => console.log(line);

try {
  const orgs = await Promise.all(
    Array.from({ length: orgCount }, (_, i) =>
      db.organization.create({ data: { slug: `bench-${i}`, name: `Bench ${i}` } }),
    ),
  );
  const orgId = (i: number) => orgs[i]?.id ?? "";
  // One busy organisation holds half the events; the rest share the other half.
  const orgFor = (i: number) => (i % 2 === 0 ? orgId(0) : orgId(1 + (i % (orgCount - 1))));
  const eventFor = (i: number): AuditEventInput => ({
    orgId: orgFor(i),
    actor: { type: "USER", id: `user-${i % 200}`, name: `user${i % 200}@example.test` },
    action: actions[i % actions.length] ?? "org.updated",
    outcome: i % 17 === 0 ? "DENIED" : "SUCCESS",
    target: { type: "user", id: `target-${i % 1000}`, name: `target ${i % 1000}` },
    request: {
      ipAddress: `10.0.${i % 250}.${i % 200}`,
      userAgent: "bench",
      requestId: randomUUID(),
    },
    metadata: { i, before: { role: "MEMBER" }, after: { role: "ADMIN" } },
  });

  // Writers report for their own organisations, as worker hosts do for the tenants placed
  // on them: writer 0 has the busy organisation, the others share the rest.
  const lanes: number[][] = Array.from({ length: writers }, () => []);
  for (let i = 0; i < total; i++) {
    const org = orgFor(i);
    lanes[org === orgId(0) ? 0 : 1 + (orgs.findIndex((o) => o.id === org) % (writers - 1))]?.push(
      i,
    );
  }
  /** Each lane's events in batches of `size`, lanes in parallel; returns elapsed ms. */
  async function runLanes(size: number, write: (indices: number[]) => Promise<unknown>) {
    const [, ms] = await timed(() =>
      Promise.all(
        lanes.map(async (lane) => {
          for (let from = 0; from < lane.length; from += size)
            await write(lane.slice(from, from + size));
        }),
      ),
    );
    return ms;
  }
  /** `count` items one at a time, `concurrency` at once; returns elapsed ms. */
  async function run(count: number, concurrency: number, write: (i: number) => Promise<unknown>) {
    let next = 0;
    const [, ms] = await timed(() =>
      Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < count; i = next++) await write(i);
        }),
      ),
    );
    return ms;
  }

  // Baseline: the same rows into an identical table (same indexes, no trigger), the same
  // batches and transactions, but no lock, no head lookup, no hashing.
  // Schema changes and VACUUM need the database's owner; the app role (app-role.ts) writes.
  await asOwner(
    `CREATE TABLE "AuditEventBaseline" (LIKE "AuditEvent" INCLUDING ALL);
     GRANT ALL ON "AuditEventBaseline" TO ${appRole}`,
  );
  const baselineMs = await runLanes(batchSize, (indices) =>
    db.$transaction(async (tx) => {
      const rows = indices.map((i) => ({ ...eventFor(i), seq: i + 1, id: randomUUID() }));
      await tx.$executeRaw`
        INSERT INTO "AuditEventBaseline" (id, chain, seq, "orgId", "occurredAt", "actorType",
          "actorId", "actorName", action, "targetType", "targetId", "targetName", outcome,
          "ipAddress", "userAgent", "requestId", metadata)
        SELECT * FROM unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.orgId)}::text[],
          ${rows.map((r) => r.seq)}::int[], ${rows.map((r) => r.orgId)}::text[],
          ${rows.map(() => new Date().toISOString())}::timestamp(3)[],
          ${rows.map((r) => r.actor.type)}::"ActorType"[], ${rows.map((r) => r.actor.id)}::text[],
          ${rows.map((r) => r.actor.name)}::text[], ${rows.map((r) => r.action)}::text[],
          ${rows.map((r) => r.target?.type)}::text[], ${rows.map((r) => r.target?.id)}::text[],
          ${rows.map((r) => r.target?.name)}::text[], ${rows.map((r) => r.outcome)}::"AuditOutcome"[],
          ${rows.map((r) => r.request?.ipAddress)}::text[], ${rows.map((r) => r.request?.userAgent)}::text[],
          ${rows.map((r) => r.request?.requestId)}::text[],
          ${rows.map((r) => JSON.stringify(r.metadata))}::jsonb[])`;
    }),
  );
  await asOwner(`DROP TABLE "AuditEventBaseline"`);
  const chainedMs = await runLanes(batchSize, (indices) =>
    db.$transaction((tx) => appendAuditEvents(tx, indices.map(eventFor))),
  );
  // Mutations write one event in their own transaction: the rate of that path, for reference.
  const singleMs = await run(singleEvents, singleWriters, (i) =>
    db.$transaction((tx) => recordAuditEvent(tx, eventFor(total + i))),
  );
  const rate = (n: number, ms: number) => n / (ms / 1000);
  const chainedRate = rate(total, chainedMs);
  const baselineRate = rate(total, baselineMs);

  // As autovacuum would after a bulk load: planner statistics for the new rows.
  await asOwner(`VACUUM ANALYZE "AuditEvent"`);
  const big = orgId(0);
  const exportRun = (mode: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ["--import", "tsx", "bench/audit-export-child.ts", url, big, mode],
        {
          encoding: "utf8",
        },
      ),
    ) as { rows: number; ms: number; peakRssMb: number };
  const exportReport: string[] = [];
  exportRun("raw"); // warms the cache, so the order of runs does not favour any of them
  const raw = exportRun("raw");
  for (const mode of ["csv", "ndjson"]) {
    const r = exportRun(mode);
    exportReport.push(
      `  export ${mode.padEnd(7)}      ${r.rows} rows in ${(r.ms / 1000).toFixed(2)} s = ${rate(r.rows, r.ms).toFixed(0)} rows/s (${(rate(r.rows, r.ms) / rate(raw.rows, raw.ms)).toFixed(2)} × bare COPY), peak RSS ${r.peakRssMb} MB`,
    );
  }

  const day = new Date(Date.now() - 86_400_000);
  const queries = {
    "action prefix (member.)": { action: "member." },
    "actor (user-8)": { actor: "user-8" },
    "actor by email (user98@)": { actor: "user98@" },
    "denied since yesterday": { outcome: "DENIED" as const, from: day },
  };
  const queryReport: string[] = [];
  for (const [name, filters] of Object.entries(queries)) {
    const samples: number[] = [];
    for (let i = 0; i < 100; i++) {
      const [, ms] = await timed(() =>
        db.auditEvent.findMany({
          where: auditWhere(big, filters),
          orderBy: { seq: "desc" },
          take: 51,
        }),
      );
      samples.push(ms);
    }
    queryReport.push(
      `  ${name.padEnd(26)} median ${median(samples).toFixed(1)} ms, p95 ${p95(samples).toFixed(1)} ms`,
    );
  }
  const plans: string[] = [];
  for (const [name, sql] of [
    ["action prefix", `action LIKE 'member.%'`],
    ["actor", `("actorId" = 'user-8' OR "actorName" ILIKE '%user-8%')`],
    ["denied since yesterday", `outcome = 'DENIED' AND "occurredAt" >= now() - interval '1 day'`],
  ] as const) {
    const plan = await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
      `EXPLAIN ANALYZE SELECT * FROM "AuditEvent" WHERE chain = $1 AND seq IS NOT NULL AND ${sql} ORDER BY seq DESC LIMIT 51`,
      big,
    );
    plans.push(`  plan, ${name}:`, ...plan.map((r) => `    ${r["QUERY PLAN"]}`));
  }
  const bigCount = await db.auditEvent.count({ where: { chain: big } });

  log(
    [
      `audit bench: ${total} events over ${orgCount} organisations (largest: ${bigCount})`,
      `  ingest, chained      ${chainedRate.toFixed(0)} events/s (batches of ${batchSize}, ${writers} writers, each with its own organisations)`,
      `  ingest, baseline     ${baselineRate.toFixed(0)} events/s (same rows and batches, no chain)`,
      `  chained / baseline   ${(chainedRate / baselineRate).toFixed(2)}`,
      `  one event per tx     ${rate(singleEvents, singleMs).toFixed(0)} events/s (${singleWriters} writers, as mutations write them)`,
      `  export bare COPY     ${raw.rows} rows in ${(raw.ms / 1000).toFixed(2)} s = ${rate(raw.rows, raw.ms).toFixed(0)} rows/s, peak RSS ${raw.peakRssMb} MB`,
      ...exportReport,
      "  filtered pages (50 rows, largest organisation, 100 runs each):",
      ...queryReport,
      ...plans,
    ].join("\n"),
  );
} finally {
  await db.$disconnect();
  await dropDatabase(url);
}
