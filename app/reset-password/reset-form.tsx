"use client";
import { useActionState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { resetPasswordSchema } from "@/server/auth/schemas.ts";
import { type ResetState, resetPasswordAction } from "./actions.ts";

export function ResetForm({ token }: { token: string }) {
  const [state, action, pending] = useActionState<ResetState, FormData>(
    resetPasswordAction.bind(null, token),
    {},
  );
  const form = useLiveValidation(resetPasswordSchema, { password: "" });
  return (
    <form action={action} className="space-y-4" noValidate>
      <TextField
        name="password"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters, not one from a leak list."
        value={form.values.password}
        onValue={(v) => form.set("password", v)}
        onBlur={() => form.touch("password")}
        error={form.errorFor("password") ?? state.fieldErrors?.password?.[0]}
      />
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="revokeApiKeys" defaultChecked className="mt-1" />
        <span>
          Also revoke every API key I made
          <span className="block text-xs text-zinc-600 dark:text-zinc-400">
            Every session ends either way. If you reset because someone may have your password, they
            may have made keys too.
          </span>
        </span>
      </label>
      {state.error && <Notice tone="error">{state.error}</Notice>}
      <button type="submit" disabled={pending} className={`w-full ${primaryButton}`}>
        {pending ? "Saving…" : "Set new password"}
      </button>
    </form>
  );
}
