import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb } from "../../test/db.ts";
import { enrolTestHost, hostReport, operatorActor } from "../../test/fleet.ts";
import { checkHealth } from "../health/health.ts";
import { authenticateHost, createEnrolmentToken, enrolHost } from "./enrolment.ts";
import { recordHeartbeat } from "./heartbeat.ts";

const db = connectTestDb();
const unique = (p: string) => `${p}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

const token = (over: { hostName?: string; replaceHost?: boolean } = {}) =>
  createEnrolmentToken(db, operatorActor, { description: "t", ttlHours: 1, ...over }, {}).then(
    (t) => t.token,
  );

describe("host enrolment", () => {
  it("cannot take over a live host: tokens are bound to a name, and replacing needs the operator's say", async () => {
    const name = unique("victim");
    const { hostId, credential } = await enrolTestHost(db, name);
    // Any other token, used under the live host's name, is refused and audited.
    const stolen = await enrolHost(db, { ...hostReport(name), token: await token() }, {});
    expect(stolen).toEqual({ refused: expect.stringMatching(/a live host is already enrolled/) });
    expect((await authenticateHost(db, `Bearer ${credential}`))?.id).toBe(hostId);
    // A token made for another name does not enrol this one.
    const other = await enrolHost(
      db,
      { ...hostReport(name), token: await token({ hostName: "elsewhere" }) },
      {},
    );
    expect(other).toEqual({ refused: `this enrolment token is for host elsewhere, not ${name}` });
    // The operator's replacement token does, and the old credential stops working.
    const replaced = await enrolHost(
      db,
      { ...hostReport(name), token: await token({ hostName: name, replaceHost: true }) },
      {},
    );
    expect(replaced).toMatchObject({ hostId });
    expect(await authenticateHost(db, `Bearer ${credential}`)).toBeNull();
    // A host that went silent (lost) may be re-enrolled by a reinstalled machine.
    await db.workerHost.update({
      where: { id: hostId },
      data: { lastHeartbeatAt: new Date(Date.now() - 60_000) },
    });
    expect(await enrolHost(db, { ...hostReport(name), token: await token() }, {})).toMatchObject({
      hostId,
    });
  });

  it("holds capacity to the engine's own figures and audits label and capacity changes", async () => {
    const name = unique("boaster");
    const boast = hostReport(name, {
      driver: {
        name: "engine-container",
        healthy: true,
        capacity: { cpus: 512, memoryMb: 10_000_000 },
      },
    });
    boast.engine = { ...boast.engine, cpus: 2, memoryBytes: 4096 * 1024 * 1024 };
    const { hostId } = await enrolHost(db, { ...boast, token: await token() }, {}).then((r) => {
      if ("refused" in r) throw new Error(r.refused);
      return r;
    });
    const host = await db.workerHost.findUniqueOrThrow({ where: { id: hostId } });
    // The engine says 2 CPUs and 4 GiB.
    expect([host.capacityMillis, host.capacityMemoryMb]).toEqual([2000, 4096]);
    await recordHeartbeat(db, hostId, { ...boast, labels: { zone: "test", gpu: "true" } });
    const change = await db.auditEvent.findFirstOrThrow({
      where: { action: "worker.changed", targetId: hostId },
    });
    expect(change.metadata).toMatchObject({ after: { labels: { gpu: "true" } } });
  });

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

  it("answers a worker that asks again with its token and chosen credential (its answer was lost)", async () => {
    const name = unique("retry");
    const chosen = `crlh_${randomBytes(32).toString("base64url")}`;
    const request = { ...hostReport(name), token: await token(), credential: chosen };
    const first = await enrolHost(db, request, {});
    expect(first).toMatchObject({ credential: chosen });
    const enrolled = await db.auditEvent.count({
      where: { action: "worker.enrolled", actorName: name },
    });
    // The same token and credential: the same host, nothing new recorded.
    expect(await enrolHost(db, request, {})).toEqual(first);
    expect(
      await db.auditEvent.count({ where: { action: "worker.enrolled", actorName: name } }),
    ).toBe(enrolled);
    // The token alone, or with another credential, is a used token.
    const other = `crlh_${randomBytes(32).toString("base64url")}`;
    for (const attempt of [{ credential: undefined }, { credential: other }])
      expect(await enrolHost(db, { ...request, ...attempt }, {})).toEqual({
        refused: "enrolment token already used",
      });
    expect((await authenticateHost(db, `Bearer ${chosen}`))?.name).toBe(name);
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
