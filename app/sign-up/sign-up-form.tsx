"use client";
import { useActionState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { signUpSchema } from "@/server/auth/schemas.ts";
import { type SignUpState, signUpAction } from "./actions.ts";

type Field = "name" | "email" | "password";

export function SignUpForm({ callbackUrl, email }: { callbackUrl: string; email: string }) {
  const [state, action, pending] = useActionState<SignUpState, FormData>(signUpAction, {});
  const form = useLiveValidation(signUpSchema, { name: "", email, password: "" });
  const field = (name: Field, label: string, type: string, autoComplete: string, hint?: string) => (
    <TextField
      name={name}
      label={label}
      type={type}
      autoComplete={autoComplete}
      hint={hint}
      value={form.values[name]}
      onValue={(v) => form.set(name, v)}
      onBlur={() => form.touch(name)}
      error={form.errorFor(name) ?? state.fieldErrors?.[name]?.[0]}
    />
  );

  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {field("name", "Your name", "text", "name")}
      {field("email", "Work email", "email", "email")}
      {field(
        "password",
        "Password",
        "password",
        "new-password",
        "At least 12 characters, not one from a leak list.",
      )}
      {state.error && <Notice tone="error">{state.error}</Notice>}
      <button type="submit" disabled={pending} className={`w-full ${primaryButton}`}>
        {pending ? "Creating your account…" : "Create account"}
      </button>
    </form>
  );
}
