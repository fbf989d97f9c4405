"use client";
import { useActionState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { forgotPasswordSchema } from "@/server/auth/schemas.ts";
import { type ForgotState, forgotPasswordAction } from "./actions.ts";

export function ForgotForm() {
  const [state, action, pending] = useActionState<ForgotState, FormData>(forgotPasswordAction, {});
  const form = useLiveValidation(forgotPasswordSchema, { email: "" });
  if (state.sentTo) {
    return (
      <Notice tone="success" testId="reset-sent">
        If an account exists for {state.sentTo}, we sent it a link to choose a new password. It
        works for one hour.
      </Notice>
    );
  }
  return (
    <form action={action} className="space-y-4" noValidate>
      <TextField
        name="email"
        label="Email"
        type="email"
        autoComplete="username"
        value={form.values.email}
        onValue={(v) => form.set("email", v)}
        onBlur={() => form.touch("email")}
        error={form.errorFor("email") ?? state.fieldErrors?.email?.[0]}
      />
      {state.error && <Notice tone="error">{state.error}</Notice>}
      <button type="submit" disabled={pending} className={`w-full ${primaryButton}`}>
        {pending ? "Sending…" : "Email me a reset link"}
      </button>
    </form>
  );
}
