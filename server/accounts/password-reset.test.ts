import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser, testRequest } from "../../test/db.ts";
import { inbox, latestMail, tokenFrom } from "../../test/mail.ts";
import { verifyPassword } from "../auth/password.ts";
import { createSession, validateSession } from "../auth/sessions.ts";
import { createCaller } from "../root-router.ts";
import { requestPasswordReset, resetPassword } from "./password-reset.ts";

const db = connectTestDb();

describe("password reset", () => {
  it("revokes the person's API keys in every organisation when they ask, each audited", async () => {
    const user = await makeUser(db);
    const orgs = [
      await makeOrg(db, [{ userId: user.id, role: "OWNER" }]),
      await makeOrg(db, [{ userId: user.id, role: "MEMBER" }]),
    ];
    for (const org of orgs)
      await createCaller(contextFor(db, user)).apiKeys.create({
        orgSlug: org.slug,
        name: "ci",
        scopes: ["agent.read"],
        expiresInDays: 30,
      });
    await requestPasswordReset(db, user.email, testRequest);
    const token = tokenFrom(await latestMail(user.email), "/reset-password\\?token");
    await resetPassword(db, token, "a brand new long passphrase", testRequest, true);
    const keys = await db.apiKey.findMany({ where: { createdById: user.id } });
    expect(keys.map((k) => k.revokedAt !== null)).toEqual([true, true]);
    for (const org of orgs)
      expect(
        await db.auditEvent.count({ where: { chain: org.id, action: "api_key.revoked" } }),
      ).toBe(1);
    // Without the choice, keys stay (sign out everywhere offers the same choice).
    const other = await makeUser(db);
    const org = await makeOrg(db, [{ userId: other.id, role: "OWNER" }]);
    await createCaller(contextFor(db, other)).apiKeys.create({
      orgSlug: org.slug,
      name: "ci",
      scopes: ["agent.read"],
      expiresInDays: 30,
    });
    await createCaller(contextFor(db, other)).accounts.signOutEverywhere({ revokeApiKeys: false });
    expect(
      (await db.apiKey.findFirstOrThrow({ where: { createdById: other.id } })).revokedAt,
    ).toBeNull();
    await createCaller(contextFor(db, other)).accounts.signOutEverywhere({ revokeApiKeys: true });
    expect(
      (await db.apiKey.findFirstOrThrow({ where: { createdById: other.id } })).revokedAt,
    ).not.toBeNull();
  });

  it("sends nothing for an unknown address, and answers the same way", async () => {
    await expect(
      requestPasswordReset(db, "nobody-here@example.test", testRequest),
    ).resolves.toBeUndefined();
    expect(await inbox("nobody-here@example.test")).toEqual([]);
  });

  it("sets the new password, signs out every session, and works once", async () => {
    const user = await makeUser(db, { verified: false });
    const session = await db.$transaction((tx) => createSession(tx, user.id, 1, testRequest));
    await requestPasswordReset(db, user.email, testRequest);
    const token = tokenFrom(await latestMail(user.email), "/reset-password\\?token");

    await resetPassword(db, token, "a brand new long passphrase", testRequest);
    const updated = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(await verifyPassword(updated.passwordHash ?? "", "a brand new long passphrase")).toBe(
      true,
    );
    expect(updated.emailVerifiedAt).not.toBeNull();
    expect(await validateSession(db, session)).toBeNull();

    await expect(
      resetPassword(db, token, "yet another long passphrase", testRequest),
    ).rejects.toMatchObject({
      message: "This reset link is not valid any more. Ask for a new one.",
    });
  });

  it("refuses an expired link and a leaked password", async () => {
    const user = await makeUser(db);
    await requestPasswordReset(db, user.email, testRequest);
    const token = tokenFrom(await latestMail(user.email), "/reset-password\\?token");
    await expect(resetPassword(db, token, "123qweasdzxc", testRequest)).rejects.toMatchObject({
      field: "password",
    });
    await db.passwordResetToken.updateMany({
      where: { userId: user.id },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    await expect(
      resetPassword(db, token, "a brand new long passphrase", testRequest),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
