import { describe, expect, it } from "vitest";
import { connectTestDb, makeUser } from "../../test/db.ts";
import { claimProvenAddress, ssoLinkAllowed } from "./address-proof.ts";
import { hashPassword } from "./password.ts";

const db = connectTestDb();

describe("the first proof of an address", () => {
  it("drops a password set up without proof, and every session it opened", async () => {
    const squatter = await makeUser(db, { verified: false });
    await db.user.update({
      where: { id: squatter.id },
      data: { passwordHash: await hashPassword("squatter-pass-123") },
    });
    await db.session.create({
      data: {
        id: `squat-${squatter.id}`,
        userId: squatter.id,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    await db.$transaction((tx) => claimProvenAddress(tx, squatter.id, "email", {}));
    const after = await db.user.findUniqueOrThrow({ where: { id: squatter.id } });
    expect(after.passwordHash).toBeNull();
    expect(after.emailVerifiedAt).not.toBeNull();
    expect(
      (await db.session.findUniqueOrThrow({ where: { id: `squat-${squatter.id}` } })).revokedAt,
    ).not.toBeNull();
    expect(
      await db.auditEvent.count({
        where: { action: "auth.unproven_password_dropped", actorId: squatter.id },
      }),
    ).toBe(1);
  });

  it("leaves a verified account's password alone", async () => {
    const owner = await makeUser(db);
    const hash = await hashPassword("owner-pass-12345");
    await db.user.update({ where: { id: owner.id }, data: { passwordHash: hash } });
    await db.$transaction((tx) => claimProvenAddress(tx, owner.id, "email", {}));
    expect((await db.user.findUniqueOrThrow({ where: { id: owner.id } })).passwordHash).toBe(hash);
  });

  it("lets SSO join an existing account by email only when the provider verified it", () => {
    expect(
      ssoLinkAllowed({
        providerVerifiedEmail: false,
        existingUserByEmail: true,
        alreadyLinked: false,
      }),
    ).toBe(false);
    expect(
      ssoLinkAllowed({
        providerVerifiedEmail: true,
        existingUserByEmail: true,
        alreadyLinked: false,
      }),
    ).toBe(true);
    expect(
      ssoLinkAllowed({
        providerVerifiedEmail: false,
        existingUserByEmail: false,
        alreadyLinked: false,
      }),
    ).toBe(true);
    expect(
      ssoLinkAllowed({
        providerVerifiedEmail: false,
        existingUserByEmail: true,
        alreadyLinked: true,
      }),
    ).toBe(true);
  });
});
