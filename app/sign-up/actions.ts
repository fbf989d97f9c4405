"use server";
import { headers } from "next/headers";
import { DomainError } from "@/common/errors.ts";
import { signUp } from "@/server/accounts/sign-up.ts";
import { signIn } from "@/server/auth/auth.ts";
import { hit } from "@/server/auth/rate-limits.ts";
import { requestInfo } from "@/server/auth/request-info.ts";
import { signUpSchema } from "@/server/auth/schemas.ts";
import { db } from "@/server/db/client.ts";
import { safeCallback } from "../sign-in/safe-callback.ts";

export interface SignUpState {
  error?: string;
  fieldErrors?: Partial<Record<"name" | "email" | "password", string[]>>;
}

export async function signUpAction(_prev: SignUpState, form: FormData): Promise<SignUpState> {
  const parsed = signUpSchema.safeParse({
    name: form.get("name"),
    email: form.get("email"),
    password: form.get("password"),
  });
  if (!parsed.success) return { fieldErrors: parsed.error.flatten().fieldErrors };
  const request = requestInfo(await headers());
  try {
    await hit("sign-up:ip", request.ipAddress, "sign-ups from your network");
    await signUp(db(), parsed.data, request);
  } catch (error) {
    if (error instanceof DomainError) {
      return error.field
        ? { fieldErrors: { [error.field]: [error.message] } }
        : { error: error.message };
    }
    throw error;
  }
  // Throws Next's redirect on success.
  await signIn("credentials", {
    email: parsed.data.email,
    password: parsed.data.password,
    redirectTo: safeCallback(form.get("callbackUrl")),
  });
  return {};
}
