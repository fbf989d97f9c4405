"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { DomainError } from "@/common/errors.ts";
import { resetPassword } from "@/server/accounts/password-reset.ts";
import { requestInfo } from "@/server/auth/request-info.ts";
import { resetPasswordSchema } from "@/server/auth/schemas.ts";
import { db } from "@/server/db/client.ts";

export interface ResetState {
  error?: string;
  fieldErrors?: { password?: string[] };
}

export async function resetPasswordAction(
  token: string,
  _prev: ResetState,
  form: FormData,
): Promise<ResetState> {
  const parsed = resetPasswordSchema.safeParse({ password: form.get("password") });
  if (!parsed.success) return { fieldErrors: parsed.error.flatten().fieldErrors };
  let email: string;
  try {
    ({ email } = await resetPassword(
      db(),
      token,
      parsed.data.password,
      requestInfo(await headers()),
      form.get("revokeApiKeys") === "on",
    ));
  } catch (error) {
    if (error instanceof DomainError) {
      return error.field
        ? { fieldErrors: { password: [error.message] } }
        : { error: error.message };
    }
    throw error;
  }
  redirect(`/sign-in?${new URLSearchParams({ email, notice: "password-reset" })}`);
}
