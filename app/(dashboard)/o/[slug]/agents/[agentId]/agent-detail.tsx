"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { StatusBadge } from "@/app/_components/status-badge.tsx";
import { Tabs } from "@/app/_components/tabs.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { PageHeader } from "../../page-header.tsx";
import { AgentLogs } from "./agent-logs.tsx";
import { AgentStats } from "./agent-stats.tsx";
import { DeleteAgent } from "./delete-agent.tsx";
import { EditAgentForm } from "./edit-agent-form.tsx";
import { NetworkTab } from "./network-tab.tsx";
import { TasksTab } from "./tasks-tab.tsx";

export function AgentDetail({ orgSlug, agentId }: { orgSlug: string; agentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  // The chosen tab is in the URL, so a link (or a reload) opens it.
  const tabParam = params.get("tab");
  const tab = tabParam === "network" || tabParam === "tasks" ? tabParam : "overview";
  const selectTab = (id: string) => {
    const next = new URLSearchParams(params);
    if (id === "overview") next.delete("tab");
    else next.set("tab", id);
    // A task's transcript belongs to the Tasks tab; its filters too.
    if (id !== "tasks") {
      next.delete("task");
      next.delete("status");
    }
    router.replace(next.size ? `${pathname}?${next}` : pathname, { scroll: false });
  };
  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  // The agent, its logs and stats are pushed as they change; while the stream is down the
  // queries refresh themselves instead.
  const live = useSubscription(
    trpc.agents.watchOne.subscriptionOptions(
      { orgSlug, agentId },
      {
        onData: ({ agent, logs, stats }) => {
          queryClient.setQueryData(trpc.agents.get.queryKey({ orgSlug, agentId }), agent);
          queryClient.setQueryData(
            trpc.agents.logs.queryKey({ orgSlug, agentId, limit: 500 }),
            logs,
          );
          queryClient.setQueryData(trpc.agents.stats.queryKey({ orgSlug, agentId }), stats);
        },
      },
    ),
  );
  const refetchInterval = live.status === "pending" ? false : 3000;
  const agent = useQuery(trpc.agents.get.queryOptions({ orgSlug, agentId }, { refetchInterval }));
  const command = useMutation(
    trpc.agents.command.mutationOptions({
      onSuccess: (agent, input) =>
        toast.success(
          input.command === "stop"
            ? `Stopping ${agent.name}…`
            : input.command === "restart"
              ? `Restarting ${agent.name} in a fresh container…`
              : `Starting ${agent.name}…`,
        ),
      onSettled: () =>
        queryClient.invalidateQueries({ queryKey: trpc.agents.get.queryKey({ orgSlug, agentId }) }),
    }),
  );

  if (agent.isPending) return <Skeleton label="Loading the agent" height="h-64" />;
  if (agent.isError)
    return <Notice tone="error">{agent.error.message} Reload the page to try again.</Notice>;
  if (!agent.data)
    return (
      <Notice tone="error">
        This agent does not exist (any more).{" "}
        <Link href={`/o/${orgSlug}/agents`} className="underline">
          Back to agents
        </Link>
      </Notice>
    );
  const a = agent.data;
  const running = a.desiredState === "RUNNING";
  const quarantined = a.quarantinedAt !== null;

  return (
    <div className="space-y-8">
      <PageHeader
        org={overview.data?.name ?? "…"}
        title={a.name}
        parent={{ label: "Agents", href: `/o/${orgSlug}/agents` }}
      />
      <section aria-label="State" className="flex flex-wrap items-center gap-3">
        <StatusBadge state={a.observedState} testId="agent-state" />
        {quarantined && <StatusBadge state="QUARANTINED" testId="agent-quarantined" />}
        <span className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="agent-reason">
          {quarantined && (
            <>
              {a.quarantineReason ? `quarantined: ${a.quarantineReason}` : "quarantined"}
              {" · "}
            </>
          )}
          {a.observedReason ?? (running ? "should be running" : "should be stopped")}
          {a.restartCount > 0 && ` · restarted ${a.restartCount} times`}
          {a.startedAt && (
            <>
              {" "}
              · started <RelativeTime date={a.startedAt} />
            </>
          )}
        </span>
        <div className="ml-auto flex gap-2">
          {(["start", "stop", "restart"] as const).map((c) => (
            <button
              key={c}
              type="button"
              className={secondaryButton}
              disabled={
                command.isPending ||
                (c === "start" && running) ||
                (c === "stop" && !running) ||
                (c !== "stop" && quarantined)
              }
              title={
                c !== "stop" && quarantined
                  ? "Quarantined: an admin must release it first"
                  : undefined
              }
              onClick={() => command.mutate({ orgSlug, agentId, command: c })}
            >
              {c[0]?.toUpperCase()}
              {c.slice(1)}
            </button>
          ))}
        </div>
      </section>
      {command.error && <Notice tone="error">{command.error.message}</Notice>}

      <Tabs
        label="Agent sections"
        selected={tab}
        onSelect={selectTab}
        tabs={[
          {
            id: "overview",
            label: "Overview",
            content: () => (
              <>
                <div className="grid gap-6 lg:grid-cols-2">
                  <section
                    aria-labelledby="config-heading"
                    className="space-y-2 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
                  >
                    <div className="flex items-center justify-between">
                      <h2 id="config-heading" className="font-semibold">
                        Configuration
                      </h2>
                      {!editing && (
                        <button
                          type="button"
                          className={secondaryButton}
                          onClick={() => setEditing(true)}
                        >
                          Edit
                        </button>
                      )}
                    </div>
                    <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1 text-sm">
                      <dt className="text-zinc-600 dark:text-zinc-400">Image</dt>
                      <dd className="font-mono text-xs">{a.image}</dd>
                      <dt className="text-zinc-600 dark:text-zinc-400">Command</dt>
                      <dd className="font-mono text-xs">
                        {a.command.length ? a.command.join(" ") : "image default"}
                      </dd>
                      <dt className="text-zinc-600 dark:text-zinc-400">Environment</dt>
                      <dd className="font-mono text-xs">
                        {Object.entries(a.env as Record<string, string>).map(([k, v]) => (
                          <div key={k}>
                            {k}={v}
                          </div>
                        ))}
                        {Object.keys(a.env as object).length === 0 && "none"}
                      </dd>
                      <dt className="text-zinc-600 dark:text-zinc-400">Isolation</dt>
                      <dd data-testid="agent-isolation">
                        {a.isolation === "MICROVM"
                          ? "microVM (its own kernel)"
                          : a.isolation === "CONTAINER"
                            ? "container (the host's kernel)"
                            : "not placed yet"}
                      </dd>
                      <dt className="text-zinc-600 dark:text-zinc-400">Limits</dt>
                      <dd>
                        {a.cpuMillis / 1000} CPU · {a.memoryMb} MiB · workspace {a.workspaceMb} MiB
                      </dd>
                      <dt className="text-zinc-600 dark:text-zinc-400">Generation</dt>
                      <dd>
                        {a.generation}
                        {a.observedGeneration !== null &&
                          a.observedGeneration !== a.generation &&
                          ` (host still on ${a.observedGeneration})`}
                      </dd>
                    </dl>
                  </section>
                  <AgentStats
                    orgSlug={orgSlug}
                    agentId={agentId}
                    refetchInterval={refetchInterval}
                    workspace={a}
                  />
                </div>

                {editing && (
                  <EditAgentForm orgSlug={orgSlug} agent={a} onDone={() => setEditing(false)} />
                )}

                <AgentLogs orgSlug={orgSlug} agentId={agentId} live={live.status} />

                <section aria-labelledby="history-heading" className="space-y-2">
                  <h2 id="history-heading" className="text-lg font-semibold">
                    History
                  </h2>
                  <ol className="space-y-1 text-sm" data-testid="agent-history">
                    {a.events.map((e) => (
                      <li key={e.id} className="flex flex-wrap items-center gap-2">
                        <span className="w-28 text-xs text-zinc-600 dark:text-zinc-400">
                          <RelativeTime date={e.createdAt} />
                        </span>
                        {e.state && <StatusBadge state={e.state} />}
                        <span>{e.message}</span>
                      </li>
                    ))}
                  </ol>
                </section>
                <DeleteAgent orgSlug={orgSlug} agentId={agentId} name={a.name} />
              </>
            ),
          },
          {
            id: "network",
            label: "Network & secrets",
            content: () => (
              <NetworkTab
                orgSlug={orgSlug}
                agentId={agentId}
                agentName={a.name}
                role={overview.data?.yourRole}
              />
            ),
          },
          {
            id: "tasks",
            label: "Tasks",
            content: () => <TasksTab orgSlug={orgSlug} agent={a} role={overview.data?.yourRole} />,
          },
        ]}
      />
    </div>
  );
}
