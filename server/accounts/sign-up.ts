// Creating an account with email and password; the verification email goes out after commit.

import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import { hashPassword } from "../auth/password.ts";
import { passwordProblem } from "../auth/password-policy.ts";
import type { SignUpInput } from "../auth/schemas.ts";
import type { Db } from "../db/client.ts";
import { sendMail } from "../mail/mailer.ts";
import { issueVerification } from "./email-verification.ts";

export async function signUp(db: Db, input: SignUpInput, request: AuditRequest) {
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw new DomainError("BAD_REQUEST", problem, "password");
  const passwordHash = await hashPassword(input.password);

  const { user, mail } = await db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new DomainError(
        "CONFLICT",
        "An account with this email already exists. Sign in instead.",
        "email",
      );
    }
    const user = await tx.user.create({
      data: { email: input.email, name: input.name, passwordHash },
    });
    await recordAuditEvent(tx, {
      actor: { type: "USER", id: user.id, name: user.email },
      action: "user.signed_up",
      target: { type: "user", id: user.id, name: user.email },
      request,
      metadata: { method: "password" },
    });
    return { user, mail: await issueVerification(tx, user) };
  });
  await sendMail(mail);
  return { userId: user.id };
}
