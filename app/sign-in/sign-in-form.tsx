"use client";
import { useActionState, useState } from "react";
import { signInSchema } from "@/server/auth/schemas.ts";
import { type SignInState, signInAction } from "./actions.ts";

type Field = "email" | "password";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, {});
  const [values, setValues] = useState({ email: state.email ?? "", password: "" });
  const [touched, setTouched] = useState<Record<Field, boolean>>({ email: false, password: false });

  // The same schema the server applies, checked as the person types.
  const check = signInSchema.safeParse(values);
  const liveErrors = check.success ? {} : check.error.flatten().fieldErrors;
  const errorFor = (field: Field) =>
    (touched[field] ? liveErrors[field]?.[0] : undefined) ?? state.fieldErrors?.[field]?.[0];

  const field = (name: Field, label: string, type: string, autoComplete: string) => {
    const error = errorFor(name);
    return (
      <div className="space-y-1">
        <label htmlFor={name} className="block text-sm font-medium">
          {label}
        </label>
        <input
          id={name}
          name={name}
          type={type}
          autoComplete={autoComplete}
          value={values[name]}
          onChange={(e) => setValues((v) => ({ ...v, [name]: e.target.value }))}
          onBlur={() => setTouched((t) => ({ ...t, [name]: true }))}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${name}-error` : undefined}
          className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900"
        />
        {error && (
          <p id={`${name}-error`} className="text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
    );
  };

  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {field("email", "Email", "email", "username")}
      {field("password", "Password", "password", "current-password")}
      {state.error && (
        <p
          data-testid="sign-in-error"
          role="status"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {state.error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60"
      >
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
