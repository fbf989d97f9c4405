// Reads kept in memory (read-cache.ts) against the real database and its triggers: what the
// database announces, that a kept read goes the moment its rows change, and that a person's
// session, key and role take effect on the very next call through the process's own client.
import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { enrolTestHost } from "../../test/fleet.ts";
import { authenticateApiKey } from "../api-keys/authenticate.ts";
import { sessionIdFromCookie } from "../auth/session-cookie.ts";
import { db, isProcessDb } from "../db/client.ts";
import { authenticateHost } from "../fleet/enrolment.ts";
import { appRouter } from "../root-router.ts";
import { notificationsLive } from "./notify.ts";
import { changesSettled, ReadCache } from "./read-cache.ts";
import { createCallerFactory } from "./trpc.ts";

// The process-wide client, whose database this process listens to: the one that caches.
const database = db();
const createCaller = createCallerFactory(appRouter);
let listener: pg.Client;
const heard: string[] = [];

beforeAll(async () => {
  listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await listener.connect();
  listener.on("notification", (n) => heard.push(n.payload ?? ""));
  await listener.query("LISTEN corral_changes");
  // The cache follows the feed from its first use; wait until the feed is up.
  new ReadCache<number>({ ttlMs: 1000, maxEntries: 1 }, isProcessDb).read(database, "x", () =>
    Promise.resolve(null),
  );
  for (let i = 0; i < 100 && !notificationsLive(); i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => {
  await listener.end();
  await database.$disconnect();
});

/** Waits until every notification committed before the call has been heard. */
async function drain() {
  const marker = `barrier:${randomBytes(4).toString("hex")}`;
  await listener.query("SELECT pg_notify('corral_changes', $1)", [marker]);
  for (let i = 0; i < 100 && !heard.includes(marker); i++)
    await new Promise((r) => setTimeout(r, 10));
}

/** What the database announces while `work` runs (and its commit is delivered). */
async function announced(work: () => Promise<unknown>): Promise<string[]> {
  // Earlier writes (the test's own setup) may still be on their way: hear them out first.
  await drain();
  heard.length = 0;
  await work();
  await drain();
  return heard.filter((tag) => !tag.startsWith("barrier:"));
}

describe("the change feed", () => {
  it("names each changed row the web process may hold, and only those", async () => {
    const user = await makeUser(database);
    const org = await makeOrg(database, [{ userId: user.id, role: "OWNER" }]);
    const session = await database.session.create({
      data: {
        id: randomBytes(16).toString("hex"),
        userId: user.id,
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
    expect(
      await announced(() =>
        database.session.update({ where: { id: session.id }, data: { revokedAt: new Date() } }),
      ),
    ).toEqual([`session:${session.id}`]);
    expect(
      await announced(() =>
        database.membership.update({
          where: { orgId_userId: { orgId: org.id, userId: user.id } },
          data: { role: "ADMIN" },
        }),
      ),
    ).toEqual([`user:${user.id}`]);
    expect(
      await announced(() =>
        database.organization.update({ where: { id: org.id }, data: { name: "Renamed" } }),
      ),
    ).toEqual([`org:${org.id}`]);
    // An update that changes nothing (Prisma's own would move updatedAt) announces nothing.
    expect(
      await announced(
        () => database.$executeRaw`UPDATE "Organization" SET name = name WHERE id = ${org.id}`,
      ),
    ).toEqual([]);
  });

  it("announces a host's new name, labels, credential or revocation, but not its heartbeats", async () => {
    const name = `feed-${randomBytes(4).toString("hex")}`;
    const { hostId } = await enrolTestHost(database, name);
    const host = { id: hostId, name };
    expect(
      await announced(() =>
        database.workerHost.update({
          where: { id: host.id },
          data: { lastHeartbeatAt: new Date() },
        }),
      ),
    ).toEqual([]);
    expect(
      await announced(() =>
        database.workerHost.update({ where: { id: host.id }, data: { name: `${host.name}-b` } }),
      ),
    ).toEqual([`host:${host.id}`]);
    for (const data of [{ labels: { zone: "moved" } }, { revokedAt: new Date() }])
      expect(
        await announced(() => database.workerHost.update({ where: { id: host.id }, data })),
      ).toEqual([`host:${host.id}`]);
  });
});

/** An organisation's name through a cache of its own; `afterRead` runs inside each load. */
function nameReader(orgId: string, afterRead?: (load: number) => Promise<void>) {
  const cache = new ReadCache<string>({ ttlMs: 60_000, maxEntries: 10 }, isProcessDb);
  let loads = 0;
  const read = () =>
    cache.read(database, orgId, async () => {
      loads++;
      const row = await database.organization.findUniqueOrThrow({ where: { id: orgId } });
      await afterRead?.(loads);
      return { value: row.name, tags: [`org:${orgId}`] };
    });
  return { read, loads: () => loads };
}

describe("a read cache", () => {
  it("answers from memory until a row it came from changes", async () => {
    const org = await makeOrg(database);
    const { read, loads } = nameReader(org.id);
    expect(await read()).toBe(org.name);
    expect(await read()).toBe(org.name);
    expect(loads()).toBe(1);
    await database.organization.update({ where: { id: org.id }, data: { name: "New name" } });
    await changesSettled(database);
    expect(await read()).toBe("New name");
    expect(loads()).toBe(2);
  });

  it("does not keep a read that a change overlapped", async () => {
    const org = await makeOrg(database);
    // The row changes after the first read saw it, before that read is kept.
    const { read, loads } = nameReader(org.id, async (load) => {
      if (load !== 1) return;
      await database.organization.update({ where: { id: org.id }, data: { name: "Later" } });
      await changesSettled(database);
    });
    expect(await read()).toBe(org.name);
    expect(await read()).toBe("Later");
    expect(loads()).toBe(2);
  });

  it("keeps nothing for a client whose changes it does not hear", async () => {
    const cache = new ReadCache<number>({ ttlMs: 60_000, maxEntries: 10 }, isProcessDb);
    let loads = 0;
    const other = {};
    for (let i = 0; i < 3; i++)
      await cache.read(other, "k", async () => ({ value: ++loads, tags: ["org:x"] }));
    expect(loads).toBe(3);
    expect(cache.size).toBe(0);
  });
});

describe("who is asking, through the process's own client", () => {
  it("a member's new role holds on their next call", async () => {
    const owner = await makeUser(database);
    const member = await makeUser(database);
    const org = await makeOrg(database, [
      { userId: owner.id, role: "OWNER" },
      { userId: member.id, role: "ADMIN" },
    ]);
    const asOwner = createCaller(contextFor(database, owner));
    const asMember = createCaller(contextFor(database, member));
    const agent = {
      orgSlug: org.slug,
      image: "corral/agent-base:latest",
      cpuMillis: 100,
      memoryMb: 64,
      workspaceMb: 64,
    };
    await asMember.agents.create({ ...agent, name: "first" });
    expect((await asMember.agents.list({ orgSlug: org.slug })).agents.map((a) => a.name)).toEqual([
      "first",
    ]);
    await asOwner.members.changeRole({ orgSlug: org.slug, userId: member.id, role: "VIEWER" });
    await expect(asMember.agents.create({ ...agent, name: "second" })).rejects.toThrow(/viewer/i);
    await asOwner.agents.create({ ...agent, name: "second" });
    // The page kept for the member's list is gone with the owner's new agent.
    expect((await asMember.agents.list({ orgSlug: org.slug })).agents.map((a) => a.name)).toEqual([
      "first",
      "second",
    ]);
    await asOwner.members.remove({ orgSlug: org.slug, userId: member.id });
    await expect(asMember.agents.list({ orgSlug: org.slug })).rejects.toThrow(
      /no such organisation/i,
    );
  });

  it("a revoked API key stops working on the next call", async () => {
    const owner = await makeUser(database);
    const org = await makeOrg(database, [{ userId: owner.id, role: "OWNER" }]);
    const asOwner = createCaller(contextFor(database, owner));
    const key = await asOwner.apiKeys.create({
      orgSlug: org.slug,
      name: "cached",
      scopes: ["agent.read"],
      expiresInDays: null,
    });
    expect((await authenticateApiKey(database, key.secret))?.id).toBe(key.id);
    expect((await authenticateApiKey(database, key.secret))?.id).toBe(key.id);
    await asOwner.apiKeys.revoke({ orgSlug: org.slug, keyId: key.id });
    expect(await authenticateApiKey(database, key.secret)).toBeNull();
  });
});

describe("a worker host's credential", () => {
  it("is checked from memory, and refused as soon as the host is revoked", async () => {
    const { hostId, credential } = await enrolTestHost(
      database,
      `cached-${randomBytes(4).toString("hex")}`,
    );
    const bearer = `Bearer ${credential}`;
    expect((await authenticateHost(database, bearer))?.version).toBe("0.1.0");
    // A column that is not announced, changed behind the cache's back: the kept copy answers.
    await database.$executeRaw`UPDATE "WorkerHost" SET version = '9.9.9' WHERE id = ${hostId}`;
    expect((await authenticateHost(database, bearer))?.version).toBe("0.1.0");
    await database.workerHost.update({ where: { id: hostId }, data: { revokedAt: new Date() } });
    await changesSettled(database);
    expect(await authenticateHost(database, bearer)).toBeNull();
  });
});

describe("the session cookie", () => {
  const secret = randomBytes(32).toString("base64url");
  const cookieFor = async (token: Record<string, unknown>, maxAge?: number) =>
    new Headers({
      cookie: `authjs.session-token=${await encode({ token, secret, salt: "authjs.session-token", maxAge })}`,
    });

  it("opens to its session id, also the second time", async () => {
    const headers = await cookieFor({ sid: "abc" });
    expect(await sessionIdFromCookie(headers, { secret, secure: false })).toBe("abc");
    expect(await sessionIdFromCookie(headers, { secret, secure: false })).toBe("abc");
  });

  it("is refused when sealed with another secret, expired, or under the wrong name", async () => {
    const headers = await cookieFor({ sid: "abc" });
    const other = randomBytes(32).toString("base64url");
    expect(await sessionIdFromCookie(headers, { secret: other, secure: false })).toBeNull();
    expect(await sessionIdFromCookie(headers, { secret, secure: true })).toBeNull();
    const expired = await cookieFor({ sid: "abc" }, -60);
    expect(await sessionIdFromCookie(expired, { secret, secure: false })).toBeNull();
    expect(await sessionIdFromCookie(new Headers(), { secret, secure: false })).toBeNull();
  });
});
