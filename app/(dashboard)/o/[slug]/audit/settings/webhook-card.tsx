"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { ConfirmButton } from "@/app/_components/confirm-button.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import type { AppRouter } from "@/server/root-router.ts";
import { SecretOnce } from "./secret-once.tsx";

type Webhook = inferRouterOutputs<AppRouter>["auditSettings"]["get"]["webhooks"][number];

const cell = "px-3 py-1.5 text-left align-top";

function health(hook: Webhook): { label: string; tone: string } {
  if (!hook.enabled)
    return {
      label: "Paused",
      tone: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
    };
  if (hook.consecutiveFailures > 0)
    return {
      label: `Failing (${hook.consecutiveFailures} in a row), retrying`,
      tone: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
    };
  if (hook.pending > 0)
    return {
      label: "Delivering",
      tone: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
    };
  return {
    label: "Up to date",
    tone: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  };
}

export function WebhookCard({ orgSlug, hook }: { orgSlug: string; hook: Webhook }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.auditSettings.get.queryKey({ orgSlug }) });
  const update = useMutation(
    trpc.auditSettings.updateWebhook.mutationOptions({ onSettled: refresh }),
  );
  const rotate = useMutation(
    trpc.auditSettings.rotateWebhookSecret.mutationOptions({
      onSuccess: (r) => setSecret(r.secret),
    }),
  );
  const remove = useMutation(
    trpc.auditSettings.deleteWebhook.mutationOptions({ onSettled: refresh }),
  );
  const state = health(hook);
  const error = update.error ?? rotate.error ?? remove.error;

  return (
    <article
      aria-label={`Webhook ${hook.url}`}
      data-testid="webhook"
      className="space-y-3 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 space-y-1">
          <p className="break-all font-mono text-sm">{hook.url}</p>
          {hook.description && (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">{hook.description}</p>
          )}
          <p className="flex flex-wrap items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
            <span
              data-testid="webhook-health"
              className={`rounded-full px-2 py-0.5 font-medium ${state.tone}`}
            >
              {state.label}
            </span>
            <span data-testid="webhook-pending">{hook.pending} events waiting</span>
            <span>
              · acknowledged through #{hook.cursorSeq} · last success{" "}
              <RelativeTime date={hook.lastSuccessAt} />
            </span>
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <button
            type="button"
            className={secondaryButton}
            disabled={update.isPending}
            onClick={() => update.mutate({ orgSlug, webhookId: hook.id, enabled: !hook.enabled })}
          >
            {hook.enabled ? "Pause" : "Resume"}
          </button>
          <ConfirmButton
            className={secondaryButton}
            disabled={rotate.isPending}
            title="Rotate the signing secret?"
            description="Deliveries are signed with the new secret at once: update your endpoint right after."
            confirmLabel="Rotate secret"
            onConfirm={() => rotate.mutate({ orgSlug, webhookId: hook.id })}
          >
            Rotate secret
          </ConfirmButton>
          <ConfirmButton
            disabled={remove.isPending}
            title="Delete this webhook?"
            description={`${hook.url} stops receiving events; ${hook.pending} not yet delivered will not be sent.`}
            confirmLabel="Delete webhook"
            onConfirm={() => remove.mutate({ orgSlug, webhookId: hook.id })}
          >
            Delete
          </ConfirmButton>
        </div>
      </div>
      {secret && <SecretOnce title="Secret rotated." secret={secret} />}
      {error && <Notice tone="error">{error.message}</Notice>}
      {hook.deliveries.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          No deliveries yet: new events go out within seconds.
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-xs" aria-label="Recent deliveries">
            <thead className="text-zinc-600 dark:text-zinc-400">
              <tr>
                <th className={cell}>When</th>
                <th className={cell}>Events</th>
                <th className={cell}>Attempt</th>
                <th className={cell}>Result</th>
                <th className={cell}>Time</th>
              </tr>
            </thead>
            <tbody>
              {hook.deliveries.map((d) => (
                <tr
                  key={d.id}
                  data-testid="webhook-delivery"
                  className="border-t border-zinc-100 dark:border-zinc-800"
                >
                  <td className={cell}>
                    <RelativeTime date={d.createdAt} />
                  </td>
                  <td className={cell}>
                    {d.firstSeq === d.lastSeq ? `#${d.firstSeq}` : `#${d.firstSeq}–#${d.lastSeq}`} (
                    {d.eventCount === 1 ? "1 event" : `${d.eventCount} events`})
                  </td>
                  <td className={cell}>{d.attempt}</td>
                  <td className={cell}>
                    {d.outcome === "SUCCEEDED" ? (
                      <span className="text-emerald-700 dark:text-emerald-400">
                        Delivered · HTTP {d.httpStatus}
                      </span>
                    ) : (
                      <span className="text-red-700 dark:text-red-400">Failed · {d.error}</span>
                    )}
                  </td>
                  <td className={cell}>{d.durationMs} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}
