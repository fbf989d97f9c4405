import { describe, expect, it } from "vitest";
import { connectTestDb } from "../../test/db.ts";
import { checkHealth } from "../health/health.ts";
import { recordHeartbeat } from "./heartbeat.ts";
import type { HeartbeatRequest } from "./worker-protocol.ts";

const db = connectTestDb();
const request = { ipAddress: "127.0.0.1" };

function beat(name: string, version = "0.1.0"): HeartbeatRequest {
  return {
    name,
    version,
    labels: { zone: "test" },
    engine: {
      serverVersion: "20.10",
      operatingSystem: "Debian",
      cpus: 2,
      memoryBytes: 1,
      containers: 0,
      runtimes: ["runc"],
    },
  };
}

describe("worker heartbeats", () => {
  it("register a host once, audited, and update it afterwards", async () => {
    const name = `host-${Date.now()}`;
    const first = await recordHeartbeat(db, beat(name), request);
    const second = await recordHeartbeat(db, beat(name, "0.2.0"), request);
    expect(second.hostId).toBe(first.hostId);
    const host = await db.workerHost.findUniqueOrThrow({ where: { id: first.hostId } });
    expect(host.version).toBe("0.2.0");
    const events = await db.auditEvent.findMany({
      where: { action: "worker.registered", targetId: first.hostId },
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: "WORKER", actorName: name, orgId: null });
  });

  it("register a host once when its first beats race", async () => {
    const name = `racer-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => recordHeartbeat(db, beat(name), request)),
    );
    expect(new Set(results.map((r) => r.hostId)).size).toBe(1);
    expect(await db.workerHost.count({ where: { name } })).toBe(1);
  });

  it("count a host as live only within the heartbeat deadline", async () => {
    const name = `stale-${Date.now()}`;
    const { hostId } = await recordHeartbeat(db, beat(name), request);
    const live = await checkHealth(db, 20);
    expect(live.workers.hosts.find((h) => h.name === name)?.live).toBe(true);

    await db.workerHost.update({
      where: { id: hostId },
      data: { lastHeartbeatAt: new Date(Date.now() - 60_000) },
    });
    const stale = await checkHealth(db, 20);
    expect(stale.database.ok).toBe(true);
    expect(stale.workers.hosts.find((h) => h.name === name)).toMatchObject({
      live: false,
      engineVersion: "20.10",
    });
  });
});
