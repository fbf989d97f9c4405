"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { CopyButton } from "@/app/_components/copy-button.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { createApiKeySchema, expiryChoices, keyScopes } from "@/server/api-keys/schemas.ts";
import { can, type Permission } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";

export function CreateKeyForm({ orgSlug, myRole }: { orgSlug: string; myRole: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const grantable = keyScopes.filter((p) => can(myRole, p));
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Permission[]>([]);
  const [expiry, setExpiry] = useState<string>("90");
  const [submitted, setSubmitted] = useState(false);
  const [created, setCreated] = useState<{ secret: string; name: string } | null>(null);
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      onSuccess: (key, input) => {
        setCreated({ secret: key.secret, name: input.name });
        setName("");
        setScopes([]);
        setSubmitted(false);
        return queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ orgSlug }) });
      },
    }),
  );

  const input = { name, scopes, expiresInDays: expiry === "never" ? null : Number(expiry) };
  const check = createApiKeySchema.safeParse(input);
  const errors = check.success ? {} : check.error.flatten().fieldErrors;

  return (
    <div className="space-y-4">
      {created && (
        <div
          role="status"
          className="space-y-2 rounded-xl border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950"
        >
          <p className="text-sm font-semibold">
            Key “{created.name}” created. Copy it now: it will not be shown again.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <code
              data-testid="new-api-key"
              className="break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-zinc-900"
            >
              {created.secret}
            </code>
            <CopyButton value={created.secret} />
          </div>
        </div>
      )}
      <form
        aria-label="Create an API key"
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(true);
          if (check.success) create.mutate({ orgSlug, ...check.data });
        }}
      >
        <TextField
          name="key-name"
          label="Name"
          hint="What uses it, e.g. “CI deploys”."
          value={name}
          onValue={setName}
          error={submitted ? errors.name?.[0] : undefined}
        />
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Permissions</legend>
          <div className="grid gap-1 sm:grid-cols-3">
            {grantable.map((p) => (
              <label key={p} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={scopes.includes(p)}
                  onChange={(e) =>
                    setScopes((s) => (e.target.checked ? [...s, p] : s.filter((x) => x !== p)))
                  }
                />
                <code className="text-xs">{p}</code>
              </label>
            ))}
          </div>
          {submitted && errors.scopes?.[0] && (
            <p className="text-sm text-red-700 dark:text-red-400">{errors.scopes[0]}</p>
          )}
        </fieldset>
        <div className="space-y-1">
          <label htmlFor="key-expiry" className="block text-sm font-medium">
            Expires
          </label>
          <select
            id="key-expiry"
            value={expiry}
            onChange={(e) => setExpiry(e.target.value)}
            className="rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            {expiryChoices.map((d) => (
              <option key={d} value={String(d)}>
                in {d} days
              </option>
            ))}
            <option value="never">never</option>
          </select>
        </div>
        {create.error && <Notice tone="error">{create.error.message}</Notice>}
        <button type="submit" disabled={create.isPending} className={primaryButton}>
          {create.isPending ? "Creating…" : "Create key"}
        </button>
      </form>
    </div>
  );
}
