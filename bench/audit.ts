// The audit log under load, on this machine, against a throwaway database:
//   ingest   chained events/s with many writers over many organisations, against the same
//            rows inserted without the chain (the baseline, measured in the same run);
//   export   CSV rows/s streamed from one large organisation, with peak RSS;
//   queries  median and p95 of three typical filtered pages, with their plans.
// Size with BENCH_AUDIT_EVENTS (default 20000) and BENCH_AUDIT_ORGS (default 50).
import { randomUUID } from "node:crypto";
import { exportStream } from "../server/audit/export.ts";
import { auditWhere } from "../server/audit/filters.ts";
import { recordAuditEvent } from "../server/audit/record.ts";
import { createDb } from "../server/db/client.ts";
import {
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../server/db/database.ts";
import { testServerUrl, uniqueDatabaseName } from "../test/database-server.ts";
import { median, p95, peakRss, timed } from "./stats.ts";

const total = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000);
const orgCount = Number(process.env.BENCH_AUDIT_ORGS ?? 50);
const writers = 16;
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

try {
  const orgs = await Promise.all(
    Array.from({ length: orgCount }, (_, i) =>
      db.organization.create({ data: { slug: `bench-${i}`, name: `Bench ${i}` } }),
    ),
  );
  // One large organisation holds half the events, as a busy tenant would.
  const orgAt = (i: number) => {
    const org = orgs[i];
    if (!org) throw new Error(`no organisation ${i}`);
    return org;
  };
  const orgFor = (i: number) => (i % 2 === 0 ? orgAt(0) : orgAt(1 + (i % (orgCount - 1))));
  const eventFor = (i: number) => ({
    orgId: orgFor(i).id,
    actor: { type: "USER" as const, id: `user-${i % 200}`, name: `user${i % 200}@example.test` },
    action: actions[i % actions.length] ?? "org.updated",
    outcome: i % 17 === 0 ? ("DENIED" as const) : ("SUCCESS" as const),
    target: { type: "user", id: `target-${i % 1000}`, name: `target ${i % 1000}` },
    request: {
      ipAddress: `10.0.${i % 250}.${i % 200}`,
      userAgent: "bench",
      requestId: randomUUID(),
    },
    metadata: { i, before: { role: "MEMBER" }, after: { role: "ADMIN" } },
  });

  async function run(count: number, write: (i: number) => Promise<unknown>) {
    let next = 0;
    const [, ms] = await timed(() =>
      Promise.all(
        Array.from({ length: writers }, async () => {
          for (let i = next++; i < count; i = next++) await write(i);
        }),
      ),
    );
    return ms;
  }

  // Baseline: the same rows, one transaction each, without lock, lookup or hash.
  const baselineCount = Math.min(total, 10_000);
  const baselineMs = await run(baselineCount, (i) => {
    const e = eventFor(i);
    return db.$transaction((tx) =>
      tx.auditEvent.create({
        data: {
          id: randomUUID(),
          chain: `baseline-${e.orgId}`,
          orgId: e.orgId,
          occurredAt: new Date(),
          actorType: "USER",
          actorId: e.actor.id,
          actorName: e.actor.name,
          action: e.action,
          targetType: e.target.type,
          targetId: e.target.id,
          targetName: e.target.name,
          outcome: e.outcome,
          ipAddress: e.request.ipAddress,
          userAgent: e.request.userAgent,
          requestId: e.request.requestId,
          metadata: e.metadata,
        },
      }),
    );
  });
  const chainedMs = await run(total, (i) =>
    db.$transaction((tx) => recordAuditEvent(tx, eventFor(i))),
  );
  const baselineRate = baselineCount / (baselineMs / 1000);
  const chainedRate = total / (chainedMs / 1000);

  // As autovacuum would after a bulk load: planner statistics for the new rows.
  await db.$executeRawUnsafe(`ANALYZE "AuditEvent"`);
  const big = orgAt(0);
  const bigCount = await db.auditEvent.count({ where: { chain: big.id } });
  const [rows, rssMb] = await peakRss(async () => {
    let lines = 0;
    const reader = exportStream(db, big.id, {}, "csv").getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return lines - 1;
      for (const byte of value) if (byte === 10) lines++;
    }
  });
  const [, exportMs] = await timed(async () => {
    const reader = exportStream(db, big.id, {}, "csv").getReader();
    while (!(await reader.read()).done) {}
  });

  const day = new Date(Date.now() - 86_400_000);
  const queries = {
    "action prefix (member.)": { action: "member." },
    "actor (user-7)": { actor: "user-7" },
    "denied since yesterday": { outcome: "DENIED" as const, from: day },
  };
  const queryReport: string[] = [];
  for (const [name, filters] of Object.entries(queries)) {
    const samples: number[] = [];
    for (let i = 0; i < 40; i++) {
      const [, ms] = await timed(() =>
        db.auditEvent.findMany({
          where: auditWhere(big.id, filters),
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
  const plan = await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
    `EXPLAIN ANALYZE SELECT * FROM "AuditEvent" WHERE chain = $1 AND seq IS NOT NULL AND action LIKE 'member.%' ORDER BY seq DESC LIMIT 51`,
    big.id,
  );

  console.log(
    [
      `audit bench: ${total} events over ${orgCount} organisations, ${writers} concurrent writers`,
      `  ingest, chained      ${chainedRate.toFixed(0)} events/s`,
      `  ingest, baseline     ${baselineRate.toFixed(0)} events/s (plain insert, ${baselineCount} rows)`,
      `  chained / baseline   ${(chainedRate / baselineRate).toFixed(2)}`,
      `  export CSV           ${rows} rows of ${bigCount} in ${(exportMs / 1000).toFixed(2)} s = ${(rows / (exportMs / 1000)).toFixed(0)} rows/s, peak RSS ${rssMb} MB`,
      "  filtered pages (50 rows, largest organisation):",
      ...queryReport,
      "  plan, action prefix:",
      ...plan.map((r) => `    ${r["QUERY PLAN"]}`),
    ].join("\n"),
  );
} finally {
  await db.$disconnect();
  await dropDatabase(url);
}
