"use client";
// Tasks, newest first, pushed as they change (polled while the stream is down), with older
// ones loaded page by page. Filters live in the URL (status; agent on the organisation's
// page), and a row opens its transcript (?task=<id>).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { DataTable } from "@/app/_components/data-table.tsx";
import { LiveIndicator } from "@/app/_components/live-indicator.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { StatusBadge } from "@/app/_components/status-badge.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { taskStatuses } from "@/server/tasks/schemas.ts";
import {
  clip,
  formatCost,
  formatCount,
  formatDuration,
  formatTokens,
  startedBy,
  type TaskRow,
  type TaskStatus,
  taskStatusLabels,
} from "./format.ts";
import { useNow, useUrlState } from "./hooks.ts";

const muted = "text-zinc-600 dark:text-zinc-400";
const select =
  "block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";
const pageSize = 50;

/** Both lists' rows once each, newest first. */
function merge(...lists: TaskRow[][]): TaskRow[] {
  const byId = new Map<string, TaskRow>();
  for (const list of lists) for (const row of list) byId.set(row.id, row);
  return [...byId.values()].sort((a, b) => {
    const x = new Date(a.createdAt).getTime();
    const y = new Date(b.createdAt).getTime();
    return x !== y ? y - x : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  });
}

const isStatus = (s: string | null): s is TaskStatus =>
  s !== null && (taskStatuses as readonly string[]).includes(s);

export function TaskHistory(props: {
  orgSlug: string;
  /** One agent's tasks (its page); else the organisation's, with an agent filter. */
  agentId?: string;
  agents?: { id: string; name: string }[];
  heading: string;
  empty: string;
}) {
  const { orgSlug } = props;
  const url = useUrlState();
  const status = url.get("status");
  const agentParam = url.get("agent");
  const filters = {
    ...(props.agentId
      ? { agentId: props.agentId }
      : agentParam
        ? { agentId: agentParam.slice(0, 64) }
        : {}),
    ...(isStatus(status) && { status }),
  };
  const filtered = Boolean(filters.status || (!props.agentId && filters.agentId));
  return (
    <section aria-labelledby="task-history-heading" className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="task-history-heading" className="text-lg font-semibold">
          {props.heading}
        </h2>
        <form
          aria-label="Filter tasks"
          className="flex flex-wrap items-end gap-3"
          onSubmit={(e) => e.preventDefault()}
        >
          {!props.agentId && (
            <label className="space-y-1 text-sm font-medium">
              <span>Agent</span>
              <select
                value={filters.agentId ?? ""}
                onChange={(e) => url.set({ agent: e.target.value || null, task: null })}
                className={select}
              >
                <option value="">any agent</option>
                {(props.agents ?? []).map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
                {filters.agentId && !props.agents?.some((a) => a.id === filters.agentId) && (
                  <option value={filters.agentId}>{filters.agentId}</option>
                )}
              </select>
            </label>
          )}
          <label className="space-y-1 text-sm font-medium">
            <span>Status</span>
            <select
              value={filters.status ?? ""}
              onChange={(e) => url.set({ status: e.target.value || null })}
              className={select}
            >
              <option value="">any status</option>
              {taskStatuses.map((s) => (
                <option key={s} value={s}>
                  {taskStatusLabels[s]}
                </option>
              ))}
            </select>
          </label>
        </form>
      </div>
      <TaskFeed
        // New filters start a new feed (no older pages from the previous ones).
        key={JSON.stringify(filters)}
        orgSlug={orgSlug}
        filters={filters}
        showAgent={!props.agentId}
        empty={filtered ? "No tasks match these filters." : props.empty}
      />
    </section>
  );
}

function TaskFeed(props: {
  orgSlug: string;
  filters: { agentId?: string; status?: TaskStatus };
  showAgent: boolean;
  empty: string;
}) {
  const { orgSlug, filters, showAgent } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const url = useUrlState();
  const openTask = url.get("task");
  const input = { orgSlug, ...filters, limit: pageSize };
  const live = useSubscription(
    trpc.tasks.watchList.subscriptionOptions(input, {
      onData: (rows) => queryClient.setQueryData(trpc.tasks.list.queryKey(input), rows),
    }),
  );
  const latest = useQuery(
    trpc.tasks.list.queryOptions(input, {
      refetchInterval: live.status === "pending" ? false : 3000,
    }),
  );
  const [older, setOlder] = useState<TaskRow[]>([]);
  const [end, setEnd] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);
  const newest = latest.data;

  // Once older pages are shown, rows the newest page moves past stay in the list (and
  // rows of older pages that changed take their newer state).
  useEffect(() => {
    if (newest) setOlder((o) => (o.length ? merge(o, newest) : o));
  }, [newest]);

  const rows = merge(older, newest ?? []);
  const running = rows.some((r) => r.status === "RUNNING");
  const now = useNow(1000, running);

  const loadOlder = async () => {
    const last = rows.at(-1);
    if (!last) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await queryClient.fetchQuery(
        trpc.tasks.list.queryOptions({ ...input, before: last.id }),
      );
      setOlder((o) => merge(o, newest ?? [], page));
      if (page.length < pageSize) setEnd(true);
    } catch (error) {
      setOlderError(error instanceof Error ? error.message : String(error));
    } finally {
      setLoadingOlder(false);
    }
  };

  return (
    <div className="space-y-3">
      <p className="flex items-center gap-3 text-sm">
        <LiveIndicator status={live.status} />
        {newest && (
          <span className={muted}>
            {rows.length} {rows.length === 1 ? "task" : "tasks"} shown
          </span>
        )}
      </p>
      {latest.isPending ? (
        <Skeleton label="Loading tasks" height="h-40" />
      ) : latest.isError ? (
        <Notice tone="error">
          {latest.error.message} Retrying; reload the page if this stays.
        </Notice>
      ) : (
        <DataTable
          label="Tasks"
          rows={rows}
          rowKey={(r) => r.id}
          rowTestId="task-row"
          pageSize={10_000}
          onRowClick={(r) => router.replace(url.href({ task: r.id }), { scroll: false })}
          isRowCurrent={(r) => r.id === openTask}
          empty={
            <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
              {props.empty}
            </p>
          }
          columns={[
            {
              key: "status",
              header: "Status",
              sortValue: (r) => r.status,
              cell: (r) => <StatusBadge state={r.status} testId="task-status" />,
            },
            {
              key: "prompt",
              header: "Prompt",
              cell: (r) => (
                <div className="max-w-md min-w-40">
                  <Link
                    href={url.href({ task: r.id })}
                    scroll={false}
                    replace
                    aria-current={r.id === openTask ? "true" : undefined}
                    title={r.prompt.length > 90 ? r.prompt.slice(0, 1000) : undefined}
                    className="font-medium underline-offset-2 hover:underline"
                  >
                    {clip(r.prompt, 90)}
                  </Link>
                  {r.reason &&
                    r.status !== "SUCCEEDED" &&
                    r.reason.toLowerCase() !== taskStatusLabels[r.status] && (
                      <p className={`text-xs ${muted}`}>{clip(r.reason, 120)}</p>
                    )}
                </div>
              ),
            },
            ...(showAgent
              ? [
                  {
                    key: "agent",
                    header: "Agent",
                    sortValue: (r: TaskRow) => r.agentName,
                    cell: (r: TaskRow) => (
                      <Link
                        href={`/o/${orgSlug}/agents/${r.agentId}?tab=tasks`}
                        className="whitespace-nowrap underline-offset-2 hover:underline"
                      >
                        {r.agentName}
                      </Link>
                    ),
                  },
                ]
              : []),
            {
              key: "by",
              header: "Started by",
              sortValue: (r) => r.startedByName,
              cell: (r) => {
                const by = startedBy(r);
                return (
                  <span data-testid="task-started-by" className="block whitespace-nowrap">
                    {by.kind && <span className={`block text-xs ${muted}`}>{by.kind} </span>}
                    {by.name}
                  </span>
                );
              },
            },
            {
              key: "created",
              header: "Created",
              sortValue: (r) => new Date(r.createdAt).getTime(),
              cell: (r) => (
                <span className="whitespace-nowrap">
                  <RelativeTime date={r.createdAt} />
                </span>
              ),
            },
            {
              key: "duration",
              header: "Duration",
              sortValue: (r) => durationOf(r, now) ?? -1,
              cell: (r) => {
                const ms = durationOf(r, now);
                return (
                  <span className="whitespace-nowrap">
                    {ms === null ? (
                      <span className={muted}>{r.status === "QUEUED" ? "queued" : "—"}</span>
                    ) : (
                      formatDuration(ms)
                    )}
                  </span>
                );
              },
            },
            {
              key: "tokens",
              header: "Tokens",
              sortValue: (r) => r.inputTokens + r.outputTokens,
              cell: (r) => (
                <span
                  data-testid="task-tokens"
                  title={`${formatCount(r.inputTokens)} in, ${formatCount(r.outputTokens)} out`}
                >
                  <span className="whitespace-nowrap">{formatTokens(r.inputTokens)} in</span>{" "}
                  <span className="whitespace-nowrap">· {formatTokens(r.outputTokens)} out</span>
                </span>
              ),
            },
            {
              key: "cost",
              header: "Est. cost",
              sortValue: (r) => r.costUsd,
              cell: (r) => <span className="whitespace-nowrap">{formatCost(r.costUsd)}</span>,
            },
          ]}
        />
      )}
      {olderError && <Notice tone="error">{olderError}</Notice>}
      {!end && rows.length >= pageSize && (
        <button
          type="button"
          className={secondaryButton}
          onClick={loadOlder}
          disabled={loadingOlder}
        >
          {loadingOlder ? "Loading…" : "Load older tasks"}
        </button>
      )}
      {end && <p className={`text-sm ${muted}`}>That is the oldest task.</p>}
    </div>
  );
}

function durationOf(r: TaskRow, now: number): number | null {
  if (!r.startedAt) return null;
  const end = r.finishedAt ? new Date(r.finishedAt).getTime() : now;
  return end - new Date(r.startedAt).getTime();
}
