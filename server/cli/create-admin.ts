// `corral create-admin`: the first person who operates a deployment (fleet, enrolment),
// made from the server's shell, so a fresh install needs no demo seed. Same rules as
// sign-up (name, address, password length and leak check); the address counts as verified
// (the operator vouches for it) and the account is audited like a sign-up, naming the CLI.
import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import { hashPassword } from "../auth/password.ts";
import { passwordProblem } from "../auth/password-policy.ts";
import { signUpSchema } from "../auth/schemas.ts";
import type { Db } from "../db/client.ts";

export const createAdminSchema = signUpSchema;

export type CreateAdminInput = z.input<typeof createAdminSchema>;

/** A password for when none is given: 24 random bytes, shown once. */
export function generatedPassword(): string {
  return randomBytes(24).toString("base64url");
}

export async function createAdmin(db: Db, raw: CreateAdminInput, request: AuditRequest) {
  const parsed = createAdminSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError("BAD_REQUEST", `${issue?.path.join(".")}: ${issue?.message}`);
  }
  const input = parsed.data;
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw new DomainError("BAD_REQUEST", `password: ${problem}`);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new DomainError("CONFLICT", `An account with the address ${input.email} exists.`);
    }
    const user = await tx.user.create({
      data: {
        email: input.email,
        name: input.name,
        passwordHash,
        emailVerifiedAt: new Date(),
        isOperator: true,
      },
    });
    await recordAuditEvent(tx, {
      actor: { type: "SYSTEM", name: "corral create-admin" },
      action: "user.signed_up",
      target: { type: "user", id: user.id, name: user.email },
      request,
      metadata: { method: "cli", operator: true },
    });
    return { id: user.id, email: user.email, name: user.name };
  });
}
