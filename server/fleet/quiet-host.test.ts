// What a quiet host costs: its heartbeat is one guarded statement unless something placement
// trusts changed (then audited as before), and an empty report touches nothing.
import { describe, expect, it } from "vitest";
import { reportRequestSchema } from "../../common/worker-protocol.ts";
import { connectTestDb, connectTestPool } from "../../test/db.ts";
import { enrolTestHost, hostReport } from "../../test/fleet.ts";
import { channels, listenFor, notificationsLive } from "../core/notify.ts";
import { authenticateHost } from "./enrolment.ts";
import { recordHeartbeat, sameLabels } from "./heartbeat.ts";
import { applyReport, isEmptyReport } from "./report.ts";

const db = connectTestDb();
const unique = () => `quiet-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

describe("a quiet host", () => {
  it("heartbeats without an audit event while labels and capacity stay, whatever their key order", async () => {
    const name = unique();
    // jsonb keeps these as {a, zone}; the worker sends them in its own order.
    const labels = { a: "1", zone: "test" };
    const { hostId, credential } = await enrolTestHost(db, name, { labels });
    const seen = await authenticateHost(db, `Bearer ${credential}`);
    if (!seen) throw new Error("test host not authenticated");
    const before = seen.lastHeartbeatAt;
    await new Promise((r) => setTimeout(r, 5));
    await recordHeartbeat(
      db,
      hostId,
      hostReport(name, { labels: { zone: "test", a: "1" }, version: "9.9.9" }),
      seen,
    );
    const after = await db.workerHost.findUniqueOrThrow({ where: { id: hostId } });
    expect(after.lastHeartbeatAt.getTime()).toBeGreaterThan(before.getTime());
    expect(after.version).toBe("9.9.9");
    expect(
      await db.auditEvent.count({ where: { action: "worker.changed", targetId: hostId } }),
    ).toBe(0);
  });

  it("takes the audited path when a label changed, also when the row it saw is stale", async () => {
    const name = unique();
    const { hostId, credential } = await enrolTestHost(db, name);
    const seen = await authenticateHost(db, `Bearer ${credential}`);
    if (!seen) throw new Error("test host not authenticated");
    await recordHeartbeat(db, hostId, hostReport(name, { labels: { zone: "eu" } }), seen);
    // `seen` still says zone=test: the guarded update misses and the change is audited.
    await recordHeartbeat(db, hostId, hostReport(name), seen);
    const changes = await db.auditEvent.findMany({
      where: { action: "worker.changed", targetId: hostId },
      orderBy: { occurredAt: "asc" },
    });
    expect(changes).toHaveLength(2);
    const row = await db.workerHost.findUniqueOrThrow({ where: { id: hostId } });
    expect(row.labels).toEqual({ zone: "test" });
  });

  it("writes the quiet beats of hosts beating together in one statement, and leaves a changed one to the audited path", async () => {
    const hosts = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const name = unique();
        const { hostId, credential } = await enrolTestHost(db, name);
        const seen = await authenticateHost(db, `Bearer ${credential}`);
        if (!seen) throw new Error("test host not authenticated");
        return { name, hostId, seen };
      }),
    );
    // One host was marked lost: a beat brings it back.
    await db.workerHost.update({ where: { id: hosts[0]?.hostId }, data: { lostAt: new Date() } });
    let statements = 0;
    const counting = new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop !== "$queryRaw") return typeof value === "function" ? value.bind(target) : value;
        return (...args: unknown[]) => {
          statements++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const relabelled = hosts[4];
    await Promise.all(
      hosts.map(({ name, hostId, seen }) =>
        recordHeartbeat(
          counting,
          hostId,
          hostReport(name, {
            version: "7.7.7",
            ...(hostId === relabelled?.hostId && { labels: { zone: "moved" } }),
          }),
          seen,
        ),
      ),
    );
    expect(statements).toBe(1);
    const rows = await db.workerHost.findMany({
      where: { id: { in: hosts.map((h) => h.hostId) } },
    });
    expect(rows.map((r) => [r.version, r.lostAt])).toEqual(hosts.map(() => ["7.7.7", null]));
    expect(rows.find((r) => r.id === relabelled?.hostId)?.labels).toEqual({ zone: "moved" });
    const audited = await db.auditEvent.findMany({
      where: { action: "worker.changed", targetId: { in: hosts.map((h) => h.hostId) } },
    });
    expect(audited.map((e) => e.targetId)).toEqual([relabelled?.hostId]);
  });

  it("does not hold other hosts' beats for a host whose row a transaction holds", async () => {
    const hosts = await Promise.all(
      ["busy", "free"].map(async (label) => {
        const name = unique();
        const { hostId, credential } = await enrolTestHost(db, name);
        const seen = await authenticateHost(db, `Bearer ${credential}`);
        if (!seen) throw new Error(`test host ${label} not authenticated`);
        return { name, hostId, seen };
      }),
    );
    const [busy, free] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
    const holder = connectTestPool();
    const locking = await holder.connect();
    try {
      await locking.query("BEGIN");
      await locking.query(`SELECT id FROM "WorkerHost" WHERE id = $1 FOR UPDATE`, [busy.hostId]);
      let busyDone = false;
      const busyBeat = recordHeartbeat(
        db,
        busy.hostId,
        hostReport(busy.name, { version: "5.5.5" }),
        busy.seen,
      ).then(() => {
        busyDone = true;
      });
      await recordHeartbeat(
        db,
        free.hostId,
        hostReport(free.name, { version: "5.5.5" }),
        free.seen,
      );
      expect(busyDone).toBe(false);
      await locking.query("COMMIT");
      await busyBeat;
    } finally {
      locking.release();
    }
    const rows = await db.workerHost.findMany({
      where: { id: { in: [busy.hostId, free.hostId] } },
    });
    expect(rows.map((r) => r.version)).toEqual(["5.5.5", "5.5.5"]);
  });

  it("compares labels by their pairs", () => {
    expect(sameLabels({ b: "2", a: "1" }, { a: "1", b: "2" })).toBe(true);
    expect(sameLabels({ a: "1" }, { a: "1", b: "2" })).toBe(false);
    expect(sameLabels(null, {})).toBe(false);
  });

  it("sends an empty report that is applied without touching anything, and a non-empty one that is not skipped", async () => {
    const empty = reportRequestSchema.parse({});
    expect(isEmptyReport(empty)).toBe(true);
    expect(isEmptyReport(reportRequestSchema.parse({ egress: {}, disk: {} }))).toBe(true);
    expect(
      isEmptyReport(
        reportRequestSchema.parse({
          disk: { workspaces: [{ agentId: "x", usedBytes: 1, sizeBytes: 2 }] },
        }),
      ),
    ).toBe(false);
    // A field the protocol may add later counts as content.
    expect(isEmptyReport({ ...empty, future: 1 } as typeof empty)).toBe(false);
    const { hostId } = await enrolTestHost(db, unique());
    expect(await applyReport(db, { id: hostId, name: "quiet" }, empty)).toEqual({ ignored: 0 });
  });

  it("trusts notifications once LISTEN is in place, so long-polls stop re-reading their row", async () => {
    const waiting = await listenFor(channels.desired, "quiet-test");
    try {
      expect(notificationsLive()).toBe(true);
    } finally {
      waiting.close();
    }
  });
});
