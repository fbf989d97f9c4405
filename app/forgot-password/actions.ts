"use server";
import { headers } from "next/headers";
import { requestPasswordReset } from "@/server/accounts/password-reset.ts";
import { hit, RateLimitedError } from "@/server/auth/rate-limits.ts";
import { requestInfo } from "@/server/auth/request-info.ts";
import { forgotPasswordSchema } from "@/server/auth/schemas.ts";
import { db } from "@/server/db/client.ts";

export interface ForgotState {
  sentTo?: string;
  error?: string;
  fieldErrors?: { email?: string[] };
}

export async function forgotPasswordAction(
  _prev: ForgotState,
  form: FormData,
): Promise<ForgotState> {
  const parsed = forgotPasswordSchema.safeParse({ email: form.get("email") });
  if (!parsed.success) return { fieldErrors: parsed.error.flatten().fieldErrors };
  const request = requestInfo(await headers());
  try {
    await hit("reset:ip", request.ipAddress, "password reset requests from your network");
    await hit("reset:account", parsed.data.email, "password reset requests for this address");
  } catch (error) {
    if (error instanceof RateLimitedError) return { error: error.message };
    throw error;
  }
  await requestPasswordReset(db(), parsed.data.email, request);
  return { sentTo: parsed.data.email };
}
