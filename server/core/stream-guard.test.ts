// Live streams end with their caller's access, and each person holds a bounded number.
import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { createCaller } from "../root-router.ts";
import { maxStreamsPerPerson } from "./stream-guard.ts";

const db = connectTestDb();

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
    const org = await makeOrg(db, [
      { userId: admin.id, role: "ADMIN" },
      { userId: member.id, role: "MEMBER" },
    ]);
    const stream = await createCaller(contextFor(db, member)).agents.watch({ orgSlug: org.slug });
    const ended = drain(stream);
    await new Promise((r) => setTimeout(r, 500));
    await createCaller(contextFor(db, admin)).members.remove({
      orgSlug: org.slug,
      userId: member.id,
    });
    expect(await ended).toBeLessThan(12_000);
  }, 20_000);

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
