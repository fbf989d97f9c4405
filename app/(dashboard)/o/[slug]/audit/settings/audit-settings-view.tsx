"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Notice } from "@/app/_components/notice.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { PageHeader } from "../../page-header.tsx";
import { RetentionForm } from "./retention-form.tsx";
import { WebhookCard } from "./webhook-card.tsx";
import { WebhookForm } from "./webhook-form.tsx";

export function AuditSettingsView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  // Delivery status changes on its own (the job runner), so keep it fresh while open.
  const settings = useQuery(
    trpc.auditSettings.get.queryOptions({ orgSlug }, { refetchInterval: 3000 }),
  );

  return (
    <div className="space-y-8">
      <PageHeader
        org={overview.data?.name ?? "…"}
        title="Audit settings"
        parent={{ label: "Audit log", href: `/o/${orgSlug}/audit` }}
      />
      <p className="max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
        How long the{" "}
        <Link href={`/o/${orgSlug}/audit`} className="underline">
          audit log
        </Link>{" "}
        keeps events, and where it streams them as they happen.
      </p>
      {settings.isPending ? (
        <Skeleton label="Loading audit settings" height="h-48" />
      ) : settings.isError ? (
        <Notice tone="error">{settings.error.message} Reload the page to try again.</Notice>
      ) : (
        <>
          <section aria-labelledby="retention-heading" className="space-y-3">
            <h2 id="retention-heading" className="text-lg font-semibold">
              Retention
            </h2>
            <RetentionForm orgSlug={orgSlug} current={settings.data.retentionDays} />
          </section>
          <section aria-labelledby="webhooks-heading" className="space-y-3">
            <h2 id="webhooks-heading" className="text-lg font-semibold">
              Webhooks
            </h2>
            <p className="max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
              Each endpoint receives every new event in order, at least once, as JSON batches signed
              with its secret (<code>Corral-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")</code>).
              Drop repeats by event id. A failing endpoint is retried with growing delays; nothing
              is skipped.
            </p>
            <WebhookForm orgSlug={orgSlug} />
            {settings.data.webhooks.length === 0 ? (
              <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
                No webhooks yet. Add an endpoint above to stream this log to your SIEM.
              </p>
            ) : (
              <ul className="space-y-4">
                {settings.data.webhooks.map((hook) => (
                  <li key={hook.id}>
                    <WebhookCard orgSlug={orgSlug} hook={hook} />
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </div>
  );
}
