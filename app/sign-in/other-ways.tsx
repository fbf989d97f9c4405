"use client";
import { useActionState } from "react";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { forgotPasswordSchema } from "@/server/auth/schemas.ts";
import { type MagicLinkState, magicLinkAction, singleSignOnAction } from "./actions.ts";

/** Sign-in without a password: a link by email, or the deployment's single sign-on. */
export function OtherWaysToSignIn(props: {
  callbackUrl: string;
  email: string;
  ssoName: string | null;
}) {
  const [state, action, pending] = useActionState<MagicLinkState, FormData>(magicLinkAction, {});
  const form = useLiveValidation(forgotPasswordSchema, { email: props.email });
  return (
    <div className="space-y-4 border-t border-zinc-200 pt-4 dark:border-zinc-800">
      {props.ssoName && (
        <form action={singleSignOnAction.bind(null, props.callbackUrl)}>
          <button type="submit" className={`w-full ${secondaryButton}`}>
            Sign in with {props.ssoName}
          </button>
        </form>
      )}
      <form action={action} aria-label="Email me a sign-in link" className="space-y-3" noValidate>
        <input type="hidden" name="callbackUrl" value={props.callbackUrl} />
        <TextField
          name="email"
          id="magic-email"
          label="Or get a sign-in link by email"
          type="email"
          autoComplete="email"
          value={form.values.email}
          onValue={(v) => form.set("email", v)}
          onBlur={() => form.touch("email")}
          error={form.errorFor("email") ?? state.fieldErrors?.email?.[0]}
        />
        {state.error && <Notice tone="error">{state.error}</Notice>}
        <button type="submit" disabled={pending} className={`w-full ${secondaryButton}`}>
          {pending ? "Sending…" : "Email me a link"}
        </button>
      </form>
    </div>
  );
}
