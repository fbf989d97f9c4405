"use client";
// The organisation's tasks: usage and estimated cost, every agent's task history (live,
// filtered by agent and status in the URL, a row opens its transcript), and the price table.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Notice } from "@/app/_components/notice.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { can } from "@/server/auth/permissions.ts";
import { PageHeader } from "../page-header.tsx";
import { useUrlState } from "./hooks.ts";
import { PriceTable } from "./price-table.tsx";
import { TaskHistory } from "./task-history.tsx";
import { TaskTranscript } from "./task-transcript.tsx";
import { UsageSection } from "./usage-section.tsx";

const muted = "text-zinc-600 dark:text-zinc-400";

export function TasksView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const url = useUrlState();
  const openTask = url.get("task");
  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  const agents = useQuery(trpc.agents.list.queryOptions({ orgSlug }));
  const header = <PageHeader org={overview.data?.name ?? "…"} title="Tasks" />;

  if (overview.isPending)
    return (
      <div className="space-y-8">
        {header}
        <Skeleton label="Loading tasks" height="h-64" />
      </div>
    );
  if (overview.isError)
    return (
      <div className="space-y-8">
        {header}
        <Notice tone="error">{overview.error.message} Reload the page to try again.</Notice>
      </div>
    );
  const role = overview.data.yourRole;
  const agentList = agents.data?.agents.map((a) => ({ id: a.id, name: a.name })) ?? [];

  return (
    <div className="space-y-8">
      {header}
      <p className={`max-w-3xl text-sm ${muted}`}>
        Work given to your agents by people, API keys and schedules: what each task did, how long it
        took, the tokens it used and what it is estimated to cost. Give an agent a task or a
        schedule on its page, under{" "}
        <Link href={`/o/${orgSlug}/agents`} className="underline">
          Agents
        </Link>
        .
      </p>

      <UsageSection orgSlug={orgSlug} />

      {openTask && (
        <TaskTranscript
          key={openTask}
          orgSlug={orgSlug}
          taskId={openTask.slice(0, 64)}
          closeHref={url.href({ task: null })}
          canManage={can(role, "task.manage")}
          showAgent
        />
      )}

      {agents.isError && <Notice tone="error">{agents.error.message}</Notice>}
      <TaskHistory
        orgSlug={orgSlug}
        agents={agentList}
        heading="History"
        empty="No tasks yet. Open an agent and give it one under its Tasks tab, or add a schedule there."
      />

      <PriceTable orgSlug={orgSlug} editable={can(role, "billing.manage")} />
    </div>
  );
}
