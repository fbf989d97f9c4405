"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import { createWebhookSchema } from "@/server/audit/webhooks/schemas.ts";
import { SecretOnce } from "./secret-once.tsx";

export function WebhookForm({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useLiveValidation(createWebhookSchema, { url: "", description: "" });
  const [created, setCreated] = useState<{ url: string; secret: string } | null>(null);
  const create = useMutation(
    trpc.auditSettings.createWebhook.mutationOptions({
      onSuccess: (hook) => {
        setCreated({ url: hook.url, secret: hook.secret });
        form.reset();
        return queryClient.invalidateQueries({
          queryKey: trpc.auditSettings.get.queryKey({ orgSlug }),
        });
      },
    }),
  );
  const serverField = create.error?.data?.field;

  return (
    <div className="space-y-3">
      {created && (
        <SecretOnce title={`Webhook for ${created.url} added.`} secret={created.secret} />
      )}
      <form
        aria-label="Add a webhook"
        noValidate
        className="grid max-w-3xl gap-3 rounded-xl border border-zinc-200 bg-white p-4 sm:grid-cols-[2fr_1fr_auto] sm:items-start dark:border-zinc-800 dark:bg-zinc-900"
        onSubmit={(e) => {
          e.preventDefault();
          if (form.attemptSubmit() && form.data) create.mutate({ orgSlug, ...form.data });
        }}
      >
        <TextField
          name="webhook-url"
          label="Endpoint URL"
          placeholder="https://siem.example.com/corral"
          value={form.values.url}
          onValue={(v) => form.set("url", v)}
          onBlur={() => form.touch("url")}
          error={
            form.errorFor("url") ?? (serverField === "url" ? create.error?.message : undefined)
          }
        />
        <TextField
          name="webhook-description"
          label="Description (optional)"
          value={form.values.description}
          onValue={(v) => form.set("description", v)}
          onBlur={() => form.touch("description")}
          error={form.errorFor("description")}
        />
        <button type="submit" className={`${primaryButton} sm:mt-6`} disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add webhook"}
        </button>
      </form>
      {create.error && serverField !== "url" && (
        <Notice tone="error">{create.error.message}</Notice>
      )}
    </div>
  );
}
