import { describe, expect, it } from "vitest";
import { connectTestDb } from "../../test/db.ts";
import { enrolTestHost, hostReport, operatorActor } from "../../test/fleet.ts";
import { checkHealth } from "../health/health.ts";
import { authenticateHost, createEnrolmentToken, enrolHost } from "./enrolment.ts";
import { recordHeartbeat } from "./heartbeat.ts";

const db = connectTestDb();
const unique = (p: string) => `${p}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

describe("host enrolment", () => {
  it("trades a one-time token for the host's own credential, stored only as a hash", async () => {
    const name = unique("host");
    const { hostId, credential } = await enrolTestHost(db, name);
    expect(credential).toMatch(/^crlh_/);
    const host = await db.workerHost.findUniqueOrThrow({ where: { id: hostId } });
    expect(JSON.stringify(host)).not.toContain(credential);
    expect((await authenticateHost(db, `Bearer ${credential}`))?.id).toBe(hostId);
    expect(await authenticateHost(db, "Bearer crlh_wrong")).toBeNull();
    expect(
      await db.auditEvent.count({ where: { action: "worker.enrolled", targetId: hostId } }),
    ).toBe(1);
  });

  it("lets only one of several racing hosts use a token, and audits the refusals", async () => {
    const { token } = await createEnrolmentToken(
      db,
      operatorActor,
      { description: "race", ttlHours: 1 },
      {},
    );
    const names = Array.from({ length: 5 }, () => unique("racer"));
    const results = await Promise.all(
      names.map((n) => enrolHost(db, { ...hostReport(n), token }, {})),
    );
    expect(results.filter((r) => "credential" in r)).toHaveLength(1);
    expect(
      results.filter((r) => "refused" in r).map((r) => ("refused" in r ? r.refused : "")),
    ).toEqual(Array(4).fill("enrolment token already used"));
    expect(
      await db.auditEvent.count({
        where: { action: "worker.enrolment_refused", actorName: { in: names }, outcome: "DENIED" },
      }),
    ).toBe(4);
  });

  it("refuses expired and unknown tokens", async () => {
    const { token, id } = await createEnrolmentToken(
      db,
      operatorActor,
      { description: "old", ttlHours: 1 },
      {},
    );
    await db.enrolmentToken.update({
      where: { id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await enrolHost(db, { ...hostReport(unique("late")), token }, {})).toEqual({
      refused: "enrolment token expired",
    });
    expect(await enrolHost(db, { ...hostReport(unique("bad")), token: "crle_nope" }, {})).toEqual({
      refused: "unknown enrolment token",
    });
  });

  it("stops a revoked host's credential from working", async () => {
    const { hostId, credential } = await enrolTestHost(db, unique("revoked"));
    await db.workerHost.update({ where: { id: hostId }, data: { revokedAt: new Date() } });
    expect(await authenticateHost(db, `Bearer ${credential}`)).toBeNull();
  });

  it("records heartbeats, and counts a host live only within the deadline", async () => {
    const name = unique("beat");
    const { hostId } = await enrolTestHost(db, name);
    await recordHeartbeat(db, hostId, hostReport(name, { version: "0.2.0" }));
    expect((await db.workerHost.findUniqueOrThrow({ where: { id: hostId } })).version).toBe(
      "0.2.0",
    );
    expect((await checkHealth(db, 20)).workers.hosts.find((h) => h.name === name)?.live).toBe(true);
    await db.workerHost.update({
      where: { id: hostId },
      data: { lastHeartbeatAt: new Date(Date.now() - 60_000) },
    });
    expect((await checkHealth(db, 20)).workers.hosts.find((h) => h.name === name)?.live).toBe(
      false,
    );
  });
});
