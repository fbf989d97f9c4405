"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { retentionSchema } from "@/server/audit/webhooks/schemas.ts";

export function RetentionForm({ orgSlug, current }: { orgSlug: string; current: number | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [forever, setForever] = useState(current === null);
  const [days, setDays] = useState(String(current ?? 365));
  const save = useMutation(
    trpc.auditSettings.setRetention.mutationOptions({
      onSuccess: () =>
        queryClient.invalidateQueries({ queryKey: trpc.auditSettings.get.queryKey({ orgSlug }) }),
    }),
  );
  const check = retentionSchema.safeParse({
    retentionDays: forever ? null : days.trim() === "" ? Number.NaN : Number(days),
  });
  const error = check.success ? undefined : check.error.issues[0]?.message;

  return (
    <form
      aria-label="Audit retention"
      noValidate
      className="max-w-xl space-y-3 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        if (check.success) save.mutate({ orgSlug, ...check.data });
      }}
    >
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Keep audit events</legend>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="radio"
            name="retention"
            checked={forever}
            onChange={() => setForever(true)}
          />
          Forever
        </label>
        <label className="flex flex-wrap items-center gap-2 text-sm">
          <input
            type="radio"
            name="retention"
            aria-label="For a number of days"
            checked={!forever}
            onChange={() => setForever(false)}
          />
          For
          <input
            type="number"
            inputMode="numeric"
            min={7}
            max={3650}
            aria-label="Days to keep audit events"
            aria-invalid={!forever && error ? true : undefined}
            aria-describedby="retention-help"
            value={days}
            disabled={forever}
            onChange={(e) => setDays(e.target.value)}
            className="w-24 rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm aria-invalid:border-red-500 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900"
          />
          days
        </label>
      </fieldset>
      <p
        id="retention-help"
        className={`text-xs ${!forever && error ? "text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}`}
      >
        {!forever && error
          ? error
          : "Older events are deleted every hour. The chain stays verifiable: each purge leaves a signed checkpoint and is itself recorded."}
      </p>
      {save.error && <Notice tone="error">{save.error.message}</Notice>}
      {save.isSuccess && !save.isPending && <Notice tone="success">Retention saved.</Notice>}
      <button type="submit" className={primaryButton} disabled={save.isPending || !check.success}>
        {save.isPending ? "Saving…" : "Save retention"}
      </button>
    </form>
  );
}
