import { describe, expect, it } from "vitest";
import { DomainError } from "../../common/errors.ts";
import { connectTestDb, testRequest } from "../../test/db.ts";
import { latestMail, tokenFrom } from "../../test/mail.ts";
import { verifyPassword } from "../auth/password.ts";
import { verifyEmail } from "./email-verification.ts";
import { signUp } from "./sign-up.ts";

const db = connectTestDb();
const email = () => `new-${Math.random().toString(36).slice(2)}@example.test`;

describe("sign-up", () => {
  it("creates an unverified account with an argon2id hash and emails a verification link", async () => {
    const address = email();
    const { userId } = await signUp(
      db,
      { name: "Ada", email: address, password: "a long and unusual passphrase" },
      testRequest,
    );
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.emailVerifiedAt).toBeNull();
    expect(await verifyPassword(user.passwordHash ?? "", "a long and unusual passphrase")).toBe(
      true,
    );

    const token = tokenFrom(await latestMail(address), "/verify-email\\?token");
    expect(await verifyEmail(db, token, testRequest)).toEqual({ ok: true, email: address });
    expect(
      (await db.user.findUniqueOrThrow({ where: { id: userId } })).emailVerifiedAt,
    ).not.toBeNull();
    expect(await verifyEmail(db, token, testRequest)).toEqual({ ok: false, reason: "used" });
  });

  it("refuses a leaked password and one built from the email, naming the field", async () => {
    const leaked = signUp(db, { name: "A", email: email(), password: "1qaz2wsx3edc" }, testRequest);
    await expect(leaked).rejects.toBeInstanceOf(DomainError);
    await expect(leaked).rejects.toMatchObject({
      field: "password",
      message: expect.stringMatching(/leaked passwords/),
    });
    await expect(
      signUp(
        db,
        { name: "A", email: "marguerite@example.test", password: "marguerite-2026!" },
        testRequest,
      ),
    ).rejects.toMatchObject({ field: "password" });
  });

  it("refuses a second account for the same email", async () => {
    const address = email();
    await signUp(
      db,
      { name: "A", email: address, password: "a long and unusual passphrase" },
      testRequest,
    );
    await expect(
      signUp(
        db,
        { name: "B", email: address, password: "another unusual passphrase" },
        testRequest,
      ),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      field: "email",
    });
  });

  it("refuses expired and forged verification links", async () => {
    const address = email();
    await signUp(
      db,
      { name: "A", email: address, password: "a long and unusual passphrase" },
      testRequest,
    );
    const token = tokenFrom(await latestMail(address), "/verify-email\\?token");
    await db.emailVerificationToken.updateMany({
      where: { email: address },
      data: { expiresAt: new Date(Date.now() - 1) },
    });
    expect(await verifyEmail(db, token, testRequest)).toEqual({ ok: false, reason: "expired" });
    expect(await verifyEmail(db, "forged", testRequest)).toEqual({ ok: false, reason: "invalid" });
  });
});
