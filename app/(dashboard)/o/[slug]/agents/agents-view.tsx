"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { DataTable } from "@/app/_components/data-table.tsx";
import { LiveIndicator } from "@/app/_components/live-indicator.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { StatusBadge } from "@/app/_components/status-badge.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { PageHeader } from "../page-header.tsx";
import { CreateAgentForm } from "./create-agent-form.tsx";

function Meter({
  label,
  used,
  limit,
  unit,
}: {
  label: string;
  used: number;
  limit: number;
  unit: string;
}) {
  const pct = Math.min(100, Math.round((used / Math.max(limit, 1)) * 100));
  return (
    <div className="min-w-40 flex-1 space-y-1">
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        {label}: {used}
        {unit} of {limit}
        {unit}
      </p>
      <meter
        aria-label={label}
        value={used}
        min={0}
        max={Math.max(limit, 1)}
        title={`${pct}%`}
        className="h-2 w-full"
      />
    </div>
  );
}

export function AgentsView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  // States change on the hosts: the server pushes every change; while the stream is down
  // the page refreshes itself every few seconds instead.
  const live = useSubscription(
    trpc.agents.watch.subscriptionOptions(
      { orgSlug },
      { onData: (data) => queryClient.setQueryData(trpc.agents.list.queryKey({ orgSlug }), data) },
    ),
  );
  const list = useQuery(
    trpc.agents.list.queryOptions(
      { orgSlug },
      { refetchInterval: live.status === "pending" ? false : 3000 },
    ),
  );
  const command = useMutation(
    trpc.agents.command.mutationOptions({
      onSettled: () =>
        queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey({ orgSlug }) }),
    }),
  );

  return (
    <div className="space-y-8">
      <PageHeader org={overview.data?.name ?? "…"} title="Agents" />
      {list.isPending ? (
        <Skeleton label="Loading agents" height="h-48" />
      ) : list.isError ? (
        <Notice tone="error">{list.error.message} Reload the page to try again.</Notice>
      ) : (
        <>
          <section
            aria-label="Quota and sandbox"
            className="flex flex-wrap items-end gap-6 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
          >
            <Meter
              label="Agents"
              used={list.data.quota.used.agents}
              limit={list.data.quota.limits.agents}
              unit=""
            />
            <Meter
              label="CPU"
              used={list.data.quota.used.cpuMillis / 1000}
              limit={list.data.quota.limits.cpuMillis / 1000}
              unit=" CPU"
            />
            <Meter
              label="Memory"
              used={list.data.quota.used.memoryMb}
              limit={list.data.quota.limits.memoryMb}
              unit=" MiB"
            />
            <p className="flex items-center gap-2 text-sm" data-testid="sandbox-status">
              Sandbox:{" "}
              {list.data.sandbox ? (
                <>
                  <StatusBadge state={list.data.sandbox.state} />
                  <span className="text-zinc-600 dark:text-zinc-400">
                    {list.data.sandbox.host
                      ? `on ${list.data.sandbox.host}`
                      : (list.data.sandbox.reason ?? "waiting for a host")}
                  </span>
                </>
              ) : (
                <span className="text-zinc-600 dark:text-zinc-400">made with your first agent</span>
              )}
            </p>
          </section>
          <section aria-labelledby="new-agent-heading" className="space-y-3">
            <h2 id="new-agent-heading" className="text-lg font-semibold">
              New agent
            </h2>
            <CreateAgentForm orgSlug={orgSlug} />
          </section>
          <section aria-labelledby="agents-heading" className="space-y-3">
            <h2 id="agents-heading" className="flex items-center gap-3 text-lg font-semibold">
              Agents <LiveIndicator status={live.status} />
            </h2>
            {command.error && <Notice tone="error">{command.error.message}</Notice>}
            <DataTable
              label="Agents"
              rows={list.data.agents}
              rowKey={(a) => a.id}
              rowTestId="agent-row"
              filterText={(a) =>
                `${a.name} ${a.image} ${a.observedState}${a.quarantinedAt ? " quarantined" : ""}`
              }
              empty={
                <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
                  No agents yet. Create one above: it runs in your organisation's own sandbox.
                </p>
              }
              columns={[
                {
                  key: "name",
                  header: "Agent",
                  sortValue: (a) => a.name,
                  cell: (a) => (
                    <>
                      <Link
                        href={`/o/${orgSlug}/agents/${a.id}`}
                        className="font-medium underline-offset-2 hover:underline"
                      >
                        {a.name}
                      </Link>
                      <p className="text-xs text-zinc-600 dark:text-zinc-400">
                        {a.cpuMillis / 1000} CPU · {a.memoryMb} MiB
                      </p>
                    </>
                  ),
                },
                {
                  key: "state",
                  header: "State",
                  sortValue: (a) => a.observedState,
                  cell: (a) => (
                    <>
                      <span className="flex flex-wrap gap-1">
                        <StatusBadge state={a.observedState} testId="agent-state" />
                        {a.quarantinedAt && (
                          <StatusBadge state="QUARANTINED" testId="agent-quarantined" />
                        )}
                      </span>
                      {a.observedReason && (
                        <p className="mt-1 max-w-xs text-xs text-zinc-600 dark:text-zinc-400">
                          {a.observedReason}
                        </p>
                      )}
                    </>
                  ),
                },
                {
                  key: "image",
                  header: "Image",
                  sortValue: (a) => a.image,
                  cell: (a) => <span className="font-mono text-xs">{a.image}</span>,
                },
                {
                  key: "restarts",
                  header: "Restarts",
                  sortValue: (a) => a.restartCount,
                  cell: (a) => a.restartCount,
                },
                {
                  key: "changed",
                  header: "Changed",
                  sortValue: (a) => new Date(a.updatedAt).getTime(),
                  cell: (a) => <RelativeTime date={a.updatedAt} />,
                },
                {
                  key: "actions",
                  header: "Actions",
                  hiddenHeader: true,
                  cell: (a) => (
                    <button
                      type="button"
                      className={secondaryButton}
                      disabled={command.isPending}
                      onClick={() =>
                        command.mutate({
                          orgSlug,
                          agentId: a.id,
                          command: a.desiredState === "RUNNING" ? "stop" : "start",
                        })
                      }
                    >
                      {a.desiredState === "RUNNING" ? "Stop" : "Start"}
                      <span className="sr-only"> {a.name}</span>
                    </button>
                  ),
                },
              ]}
            />
          </section>
        </>
      )}
    </div>
  );
}
