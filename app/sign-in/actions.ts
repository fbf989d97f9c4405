"use server";
import { AuthError } from "next-auth";
import { signIn } from "@/server/auth/auth.ts";
import { signInSchema } from "@/server/auth/schemas.ts";
import { safeCallback } from "./safe-callback.ts";

export interface SignInState {
  error?: string;
  fieldErrors?: { email?: string[]; password?: string[] };
  email?: string;
}

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
    if (error instanceof AuthError) {
      return {
        email,
        error:
          error.type === "CredentialsSignin"
            ? "That email and password do not match an account."
            : "Sign-in is unavailable right now. Try again in a minute.",
      };
    }
    throw error;
  }
  return {};
}
