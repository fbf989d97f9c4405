"use server";
import { headers } from "next/headers";
import { requestPasswordReset } from "@/server/accounts/password-reset.ts";
import { requestInfo } from "@/server/auth/request-info.ts";
import { forgotPasswordSchema } from "@/server/auth/schemas.ts";
import { db } from "@/server/db/client.ts";

export interface ForgotState {
  sentTo?: string;
  fieldErrors?: { email?: string[] };
}

export async function forgotPasswordAction(
  _prev: ForgotState,
  form: FormData,
): Promise<ForgotState> {
  const parsed = forgotPasswordSchema.safeParse({ email: form.get("email") });
  if (!parsed.success) return { fieldErrors: parsed.error.flatten().fieldErrors };
  await requestPasswordReset(db(), parsed.data.email, requestInfo(await headers()));
  return { sentTo: parsed.data.email };
}
