// Live streams end with their caller's access, and each person holds a bounded number.
import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import type { Db } from "../db/client.ts";
import { createCaller } from "../root-router.ts";
import { maxStreamsPerPerson } from "./stream-guard.ts";

const db = connectTestDb();

/** A context whose session row exists, so only what a test changes can end its streams. */
async function signedIn(user: Awaited<ReturnType<typeof makeUser>>, via: Db = db) {
  const session = await db.session.create({
    data: { id: `s-${user.id}`, userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) },
  });
  const ctx = contextFor(via, user);
  if (!ctx.session) throw new Error("contextFor gave no session");
  return { ...ctx, session: { ...ctx.session, id: session.id } };
}

/** Whether `ended` is still pending after `ms`. */
async function stillOpenAfter(ended: Promise<unknown>, ms: number) {
  const open = Symbol("open");
  const first = await Promise.race([ended, new Promise((r) => setTimeout(() => r(open), ms))]);
  return first === open;
}

/** Reads a stream until it ends; resolves with how long that took. */
async function drain(stream: AsyncIterable<unknown>) {
  const started = Date.now();
  for await (const _ of stream) {
    // keep reading
  }
  return Date.now() - started;
}

describe("live streams", () => {
  it("end once the member is removed, even while nothing changes", async () => {
    const admin = await makeUser(db);
    const member = await makeUser(db);
    const stays = await makeUser(db);
    const org = await makeOrg(db, [
      { userId: admin.id, role: "ADMIN" },
      { userId: member.id, role: "MEMBER" },
      { userId: stays.id, role: "MEMBER" },
    ]);
    const stream = await createCaller(await signedIn(member)).agents.watch({ orgSlug: org.slug });
    const kept = await createCaller(await signedIn(stays)).agents.watch({ orgSlug: org.slug });
    const ended = drain(stream);
    const keptEnded = drain(kept);
    await new Promise((r) => setTimeout(r, 500));
    await createCaller(contextFor(db, admin)).members.remove({
      orgSlug: org.slug,
      userId: member.id,
    });
    expect(await ended).toBeLessThan(12_000);
    // The member who stayed keeps their stream through the same checks.
    expect(await stillOpenAfter(keptEnded, 0)).toBe(true);
    await kept[Symbol.asyncIterator]().return?.(undefined);
  }, 20_000);

  it("survive a check that fails for a moment (a busy pool is not a revoked session)", async () => {
    const user = await makeUser(db);
    const org = await makeOrg(db, [{ userId: user.id, role: "OWNER" }]);
    let failing = false;
    // The guard re-reads the session through ctx.db; for a while that read throws.
    const flaky = new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop !== "session") return typeof value === "function" ? value.bind(target) : value;
        return {
          ...value,
          findUnique: (args: never) => {
            if (failing) return Promise.reject(new Error("timed out waiting for a connection"));
            return target.session.findUnique(args);
          },
        };
      },
    });
    const stream = await createCaller(await signedIn(user, flaky)).agents.watch({
      orgSlug: org.slug,
    });
    const ended = drain(stream);
    failing = true;
    // Longer than one recheck: the failed check must not end the stream.
    expect(await stillOpenAfter(ended, 6_500)).toBe(true);
    failing = false;
    await db.session.update({ where: { id: `s-${user.id}` }, data: { revokedAt: new Date() } });
    // Once the check works again, a real revocation still ends it.
    expect(await ended).toBeLessThan(20_000);
  }, 30_000);

  it("end once the session is signed out", async () => {
    const user = await makeUser(db);
    const org = await makeOrg(db, [{ userId: user.id, role: "OWNER" }]);
    const session = await db.session.create({
      data: { id: `s-${user.id}`, userId: user.id, expiresAt: new Date(Date.now() + 3_600_000) },
    });
    const signedIn = contextFor(db, user);
    if (!signedIn.session) throw new Error("contextFor gave no session");
    const ctx = { ...signedIn, session: { ...signedIn.session, id: session.id } };
    const stream = await createCaller(ctx).agents.watch({ orgSlug: org.slug });
    const ended = drain(stream);
    await db.session.update({ where: { id: session.id }, data: { revokedAt: new Date() } });
    expect(await ended).toBeLessThan(12_000);
  }, 20_000);

  it(`are capped at ${maxStreamsPerPerson} per person`, async () => {
    const user = await makeUser(db);
    const org = await makeOrg(db, [{ userId: user.id, role: "OWNER" }]);
    const caller = createCaller(contextFor(db, user));
    const streams = await Promise.all(
      Array.from({ length: maxStreamsPerPerson }, () => caller.agents.watch({ orgSlug: org.slug })),
    );
    const iterators = streams.map((s) => s[Symbol.asyncIterator]());
    await Promise.all(iterators.map((i) => i.next()));
    const extra = await caller.agents
      .watch({ orgSlug: org.slug })
      .then(
        async (s) => s[Symbol.asyncIterator]().next(),
        (error: unknown) => error,
      )
      .catch((error: unknown) => error);
    expect(extra).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    await Promise.all(iterators.map((i) => i.return?.(undefined)));
  });
});
