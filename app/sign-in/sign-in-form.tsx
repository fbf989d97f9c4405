"use client";
import { useActionState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { signInSchema } from "@/server/auth/schemas.ts";
import { type SignInState, signInAction } from "./actions.ts";

export function SignInForm({ callbackUrl, email }: { callbackUrl: string; email: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, {});
  const form = useLiveValidation(signInSchema, { email, password: "" });
  const serverError = (field: "email" | "password") => state.fieldErrors?.[field]?.[0];

  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <TextField
        name="email"
        label="Email"
        type="email"
        autoComplete="username"
        value={form.values.email}
        onValue={(v) => form.set("email", v)}
        onBlur={() => form.touch("email")}
        error={form.errorFor("email") ?? serverError("email")}
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        value={form.values.password}
        onValue={(v) => form.set("password", v)}
        onBlur={() => form.touch("password")}
        error={form.errorFor("password") ?? serverError("password")}
      />
      {state.error && (
        <Notice tone="error" testId="sign-in-error">
          {state.error}
        </Notice>
      )}
      <button type="submit" disabled={pending} className={`w-full ${primaryButton}`}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
