import { describe, expect, it } from "vitest";
import { connectTestDb, makeUser, testRequest } from "../../test/db.ts";
import { inbox, latestMail, tokenFrom } from "../../test/mail.ts";
import { verifyPassword } from "../auth/password.ts";
import { createSession, validateSession } from "../auth/sessions.ts";
import { requestPasswordReset, resetPassword } from "./password-reset.ts";

const db = connectTestDb();

describe("password reset", () => {
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
