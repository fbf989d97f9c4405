import { describe, expect, it } from "vitest";
import { connectTestDb, makeUser } from "../../test/db.ts";
import { createSession, revokeSession, validateSession } from "./sessions.ts";

const db = connectTestDb();
const request = { ipAddress: "127.0.0.1", userAgent: "vitest" };

describe("server-side sessions", () => {
  it("validates a fresh session and returns its user", async () => {
    const user = await makeUser(db);
    const id = await db.$transaction((tx) => createSession(tx, user.id, 1, request));
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await validateSession(db, id)).toEqual({
      id,
      user: { id: user.id, email: user.email, name: user.name, emailVerified: true },
      expiresAt: expect.any(Date),
    });
  });

  it("stops accepting a session the moment it is revoked", async () => {
    const user = await makeUser(db);
    const id = await db.$transaction((tx) => createSession(tx, user.id, 1, request));
    expect(await db.$transaction((tx) => revokeSession(tx, id))).toEqual({ userId: user.id });
    expect(await validateSession(db, id)).toBeNull();
    expect(await db.$transaction((tx) => revokeSession(tx, id))).toBeNull();
  });

  it("refuses an expired session and an unknown id", async () => {
    const user = await makeUser(db);
    const id = await db.$transaction((tx) => createSession(tx, user.id, 1, request));
    await db.session.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await validateSession(db, id)).toBeNull();
    expect(await validateSession(db, "forged")).toBeNull();
  });

  it("ends every session of a deleted user", async () => {
    const user = await makeUser(db);
    const id = await db.$transaction((tx) => createSession(tx, user.id, 1, request));
    await db.user.delete({ where: { id: user.id } });
    expect(await validateSession(db, id)).toBeNull();
  });
});

describe("sign out everywhere", () => {
  it("ends every session of the person and only theirs, audited", async () => {
    const { createCaller } = await import("../root-router.ts");
    const { contextFor } = await import("../../test/db.ts");
    const user = await makeUser(db);
    const other = await makeUser(db);
    const mine = await Promise.all(
      [1, 2].map(() => db.$transaction((tx) => createSession(tx, user.id, 1, request))),
    );
    const theirs = await db.$transaction((tx) => createSession(tx, other.id, 1, request));
    expect(await createCaller(contextFor(db, user)).accounts.signOutEverywhere()).toBe(2);
    for (const id of mine) expect(await validateSession(db, id)).toBeNull();
    expect(await validateSession(db, theirs)).not.toBeNull();
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "auth.signed_out_everywhere", actorId: user.id },
    });
    expect(event.metadata).toEqual({ sessions: 2, reason: "requested", apiKeysRevoked: 0 });
  });
});
