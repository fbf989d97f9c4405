"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { OnboardingChecklist } from "./onboarding-checklist.tsx";
import { AgentsByStateChart, AuditPerDayChart } from "./overview-charts.tsx";
import { OverviewSkeleton } from "./overview-skeleton.tsx";

function Stat(props: { label: string; value: string | number; hint?: string }) {
  return (
    <div className="rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900">
      <dt className="text-sm text-zinc-600 dark:text-zinc-400">{props.label}</dt>
      <dd className="mt-1">
        <span className="block text-2xl font-semibold tabular-nums">{props.value}</span>
        {props.hint && (
          <span className="mt-1 block text-xs text-zinc-600 dark:text-zinc-400">{props.hint}</span>
        )}
      </dd>
    </div>
  );
}

export function Overview({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const overview = useQuery(
    trpc.organizations.overview.queryOptions({ orgSlug }, { refetchInterval: 3000 }),
  );
  const health = useQuery({ ...trpc.health.status.queryOptions(), refetchInterval: 5_000 });

  if (overview.isPending) return <OverviewSkeleton />;
  if (overview.isError) {
    return (
      <div
        role="status"
        className="max-w-lg space-y-3 rounded-xl border border-red-200 bg-red-50 p-6 dark:border-red-900 dark:bg-red-950"
      >
        <h1 className="font-semibold">This organisation could not be loaded</h1>
        <p className="text-sm">{overview.error.message}</p>
        <button
          type="button"
          onClick={() => overview.refetch()}
          className="rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white dark:bg-zinc-100 dark:text-zinc-900"
        >
          Try again
        </button>
      </div>
    );
  }

  const org = overview.data;
  const workers = health.data?.workers;
  return (
    <div className="space-y-8">
      <header className="space-y-1">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          <span>{org.name}</span> / <span>Overview</span>
        </p>
        <h1 className="text-2xl font-bold tracking-tight" data-testid="page-title">
          {org.name}
        </h1>
      </header>
      <OnboardingChecklist orgSlug={orgSlug} />
      <dl className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <Stat label="Members" value={org.members} />
        <Stat label="Your role" value={org.yourRole.toLowerCase()} />
        <Stat label="Audit events, last 7 days" value={org.auditEventsLast7Days} />
        <Stat
          label="Workers live"
          value={workers ? `${workers.live} / ${workers.total}` : "…"}
          hint={
            health.isError ? "Status unavailable, retrying" : "Hosts that reported in the last 20 s"
          }
        />
      </dl>
      <div className="grid gap-4 lg:grid-cols-2">
        <AuditPerDayChart data={org.auditPerDay} />
        <AgentsByStateChart counts={org.agentsByState} />
      </div>
      <section
        aria-labelledby="agents-heading"
        className="rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900"
      >
        <h2 id="agents-heading" className="font-semibold">
          Agents
        </h2>
        {org.agents.total === 0 ? (
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            No agents yet.{" "}
            <Link href={`/o/${orgSlug}/agents`} className="underline">
              Create one
            </Link>
            : it runs in your organisation's own sandbox on a worker host.
          </p>
        ) : (
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400" data-testid="agents-summary">
            {org.agents.running} of {org.agents.total} running
            {org.agents.failing > 0 && `, ${org.agents.failing} failing`}.{" "}
            <Link href={`/o/${orgSlug}/agents`} className="underline">
              See all agents
            </Link>
          </p>
        )}
      </section>
      <div className="grid gap-4 lg:grid-cols-2">
        <section
          aria-labelledby="quota-heading"
          className="space-y-2 rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900"
        >
          <h2 id="quota-heading" className="font-semibold">
            Quota
          </h2>
          <dl className="grid grid-cols-3 gap-2 text-sm" data-testid="quota">
            {(
              [
                ["Agents", org.quota.used.agents, org.quota.limits.agents, ""],
                ["CPU", org.quota.used.cpuMillis / 1000, org.quota.limits.cpuMillis / 1000, ""],
                ["Memory", org.quota.used.memoryMb, org.quota.limits.memoryMb, " MiB"],
              ] as const
            ).map(([label, used, limit, unit]) => (
              <div key={label}>
                <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
                <dd className="font-medium tabular-nums">
                  {used}
                  {unit} of {limit}
                  {unit}
                </dd>
              </div>
            ))}
          </dl>
        </section>
        {org.latestEvents && (
          <section
            aria-labelledby="activity-heading"
            className="space-y-2 rounded-xl border border-zinc-200 bg-white p-5 dark:border-zinc-800 dark:bg-zinc-900"
          >
            <h2 id="activity-heading" className="font-semibold">
              Recent activity
            </h2>
            <ol className="space-y-1 text-sm" data-testid="recent-activity">
              {org.latestEvents.map((e) => (
                <li key={e.id} className="flex flex-wrap gap-x-2">
                  <span className="font-mono text-xs">{e.action}</span>
                  <span className="text-zinc-600 dark:text-zinc-400">
                    by {e.actorName} · <RelativeTime date={e.occurredAt} />
                  </span>
                </li>
              ))}
            </ol>
            <Link href={`/o/${orgSlug}/audit`} className="text-sm underline">
              Open the audit log
            </Link>
          </section>
        )}
      </div>
    </div>
  );
}
