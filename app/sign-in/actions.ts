"use server";
import { AuthError, CredentialsSignin } from "next-auth";
import { signIn } from "@/server/auth/auth.ts";
import { RateLimitedError } from "@/server/auth/rate-limits.ts";
import { forgotPasswordSchema, signInSchema } from "@/server/auth/schemas.ts";
import { safeCallback } from "./safe-callback.ts";

export interface SignInState {
  error?: string;
  fieldErrors?: { email?: string[]; password?: string[] };
  email?: string;
}

const refusals: Record<string, string> = {
  invalid_credentials: "That email and password do not match an account.",
  locked: "Too many failed sign-ins for this account. Wait 15 minutes, or reset your password.",
  rate_limited: "Too many sign-in attempts from your network. Try again in a few minutes.",
};

export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const parsed = signInSchema.safeParse({
    email: form.get("email"),
    password: form.get("password"),
  });
  const email = String(form.get("email") ?? "");
  if (!parsed.success) {
    return { email, fieldErrors: parsed.error.flatten().fieldErrors };
  }
  try {
    await signIn("credentials", {
      ...parsed.data,
      redirectTo: safeCallback(form.get("callbackUrl")),
    });
  } catch (error) {
    // A successful sign-in throws Next's redirect, which must travel on.
    if (error instanceof CredentialsSignin)
      return { email, error: refusals[error.code] ?? refusals.invalid_credentials };
    if (error instanceof AuthError) {
      return { email, error: "Sign-in is unavailable right now. Try again in a minute." };
    }
    throw error;
  }
  return {};
}

export interface MagicLinkState {
  error?: string;
  fieldErrors?: { email?: string[] };
}

export async function magicLinkAction(
  _prev: MagicLinkState,
  form: FormData,
): Promise<MagicLinkState> {
  const parsed = forgotPasswordSchema.safeParse({ email: form.get("email") });
  if (!parsed.success) return { fieldErrors: parsed.error.flatten().fieldErrors };
  try {
    // Throws Next's redirect to the "check your email" page on success.
    await signIn("email", {
      email: parsed.data.email,
      redirectTo: safeCallback(form.get("callbackUrl")),
    });
  } catch (error) {
    if (error instanceof AuthError) {
      const cause = error.cause?.err;
      return {
        error:
          cause instanceof RateLimitedError
            ? cause.message
            : "The sign-in link could not be sent. Try again in a minute.",
      };
    }
    throw error;
  }
  return {};
}

export async function singleSignOnAction(callbackUrl: string) {
  await signIn("oidc", { redirectTo: safeCallback(callbackUrl) });
}
