"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import { createSecretSchema } from "@/server/secrets/schemas.ts";

export const writeOnlyHint =
  "Stored encrypted. Nobody can read it back; agents never see it — the gateway adds it to their requests.";

/** A new secret: its value goes in once and is never shown again, to anyone. */
export function CreateSecretForm({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useLiveValidation(createSecretSchema, { name: "", description: "", value: "" });
  const create = useMutation(
    trpc.secrets.create.mutationOptions({
      onSuccess: (secret) => {
        form.reset();
        toast.success(`Secret ${secret.name} saved. Grant it to an agent to use it.`);
        return queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey({ orgSlug }) });
      },
    }),
  );
  const serverField = create.error?.data?.field;
  const serverError = (field: string) =>
    serverField === field ? create.error?.message : undefined;

  return (
    <form
      aria-label="Add a secret"
      noValidate
      autoComplete="off"
      className="grid gap-4 rounded-xl border border-zinc-200 bg-white p-4 md:grid-cols-2 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        if (form.attemptSubmit() && form.data) create.mutate({ orgSlug, ...form.data });
      }}
    >
      <TextField
        name="secret-name"
        label="Name"
        hint="Letters, digits, dot, dash and underscore, e.g. ANTHROPIC_KEY."
        autoComplete="off"
        spellCheck={false}
        value={form.values.name}
        onValue={(v) => form.set("name", v)}
        onBlur={() => form.touch("name")}
        error={form.errorFor("name") ?? serverError("name")}
      />
      <TextField
        name="secret-description"
        label="Description (optional)"
        hint="What it is for, so the next person knows whether it is still needed."
        value={form.values.description}
        onValue={(v) => form.set("description", v)}
        onBlur={() => form.touch("description")}
        error={form.errorFor("description")}
      />
      <div className="md:col-span-2">
        <TextField
          name="secret-value"
          label="Value"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          hint={writeOnlyHint}
          value={form.values.value}
          onValue={(v) => form.set("value", v)}
          onBlur={() => form.touch("value")}
          error={form.errorFor("value")}
        />
      </div>
      <div className="space-y-2 md:col-span-2">
        {create.error && !serverField && <Notice tone="error">{create.error.message}</Notice>}
        <button type="submit" className={primaryButton} disabled={create.isPending}>
          {create.isPending ? "Saving…" : "Add secret"}
        </button>
      </div>
    </form>
  );
}
