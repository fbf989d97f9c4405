"use client";
// The agent's schedules: when each runs next (in its own time zone), paused or not, and what
// may be done to it: pause or resume, run now, delete. A new one is made with ScheduleForm.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { CalendarClock, Pause, Play, Plus, Zap } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { primaryButton } from "@/app/_components/buttons.ts";
import { ConfirmButton } from "@/app/_components/confirm-button.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { formatRelative, RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { StatusBadge } from "@/app/_components/status-badge.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import type { AppRouter } from "@/server/root-router.ts";
import { clip } from "../../tasks/format.ts";
import { useNow } from "../../tasks/hooks.ts";
import { ScheduleForm } from "./schedule-form.tsx";
import { formatRun } from "./schedule-time.ts";

type Schedule = inferRouterOutputs<AppRouter>["schedules"]["list"][number];

const muted = "text-zinc-600 dark:text-zinc-400";
const cell = "px-3 py-2 text-left align-top";
const head = `${cell} whitespace-nowrap`;
const small =
  "inline-flex items-center gap-1 rounded-md border border-zinc-300 px-2 py-1 text-xs font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800";
const smallDanger =
  "rounded-md border border-red-300 px-2 py-1 text-xs font-medium text-red-700 hover:bg-red-50 disabled:opacity-60 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950";

/** "in 5 minutes"; "in under a minute" where a past time would read "just now". */
function untilRun(run: Date | string, now: number): string {
  const date = new Date(run);
  return date.getTime() - now < 60_000 ? "in under a minute" : formatRelative(date, now);
}

export function SchedulesSection(props: {
  orgSlug: string;
  agentId: string;
  agentName: string;
  canManage: boolean;
  /** Opens a task's transcript (after "Run now"). */
  onTask: (taskId: string) => void;
}) {
  const { orgSlug, agentId, agentName, canManage } = props;
  const trpc = useTRPC();
  const [creating, setCreating] = useState(false);
  // Next runs move on as time passes, and lastRunAt changes when one fires.
  const schedules = useQuery(
    trpc.schedules.list.queryOptions({ orgSlug, agentId }, { refetchInterval: 10_000 }),
  );
  // Runs that have passed since the list was read are not "next" any more.
  const now = useNow(5_000);
  // When a schedule starts a task (the history's live list shows it), its last run and next
  // runs are read again at once.
  const queryClient = useQueryClient();
  const recent = useQuery(trpc.tasks.list.queryOptions({ orgSlug, agentId, limit: 50 }));
  const lastScheduled = recent.data?.find((t) => t.scheduleId)?.id;
  useEffect(() => {
    if (lastScheduled)
      queryClient.invalidateQueries({
        queryKey: trpc.schedules.list.queryKey({ orgSlug, agentId }),
      });
  }, [lastScheduled, queryClient, trpc, orgSlug, agentId]);

  return (
    <section aria-labelledby="schedules-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h2 id="schedules-heading" className="flex items-center gap-2 text-lg font-semibold">
          <CalendarClock aria-hidden="true" className="size-5" />
          Schedules
        </h2>
        {canManage && !creating && (
          <button
            type="button"
            className={`${primaryButton} inline-flex items-center gap-1.5`}
            onClick={() => setCreating(true)}
          >
            <Plus aria-hidden="true" className="size-4" />
            New schedule
          </button>
        )}
      </div>
      <p className={`max-w-3xl text-sm ${muted}`}>
        A schedule gives {agentName} a task at the times a cron expression names, in the time zone
        you choose. Its tasks appear in the history above, started by the schedule.
      </p>
      {creating && (
        <ScheduleForm
          orgSlug={orgSlug}
          agentId={agentId}
          agentName={agentName}
          onDone={() => setCreating(false)}
        />
      )}
      {schedules.isPending ? (
        <Skeleton label="Loading schedules" height="h-40" />
      ) : schedules.isError ? (
        <Notice tone="error">{schedules.error.message} Reload the page to try again.</Notice>
      ) : schedules.data.length === 0 ? (
        <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No schedules yet.{" "}
          {canManage
            ? "Add one to give this agent work every hour, every night or every Monday."
            : "Members, admins and owners can add them."}
        </p>
      ) : (
        <div className="relative overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-sm" aria-label="Schedules">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <th className={head}>Schedule</th>
                <th className={head}>When</th>
                <th className={head}>Next runs</th>
                <th className={head}>Last run</th>
                {canManage && (
                  <th className={cell}>
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {schedules.data.map((s) => (
                <ScheduleRow
                  key={s.id}
                  orgSlug={orgSlug}
                  agentId={agentId}
                  schedule={s}
                  now={now}
                  canManage={canManage}
                  onTask={props.onTask}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ScheduleRow(props: {
  orgSlug: string;
  agentId: string;
  schedule: Schedule;
  now: number;
  canManage: boolean;
  onTask: (taskId: string) => void;
}) {
  const { orgSlug, agentId, schedule: s, canManage } = props;
  const upcoming = s.nextRuns.filter((run) => new Date(run).getTime() > props.now);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({
        queryKey: trpc.schedules.list.queryKey({ orgSlug, agentId }),
      }),
      queryClient.invalidateQueries({ queryKey: trpc.tasks.list.pathKey() }),
    ]);
  const update = useMutation(
    trpc.schedules.update.mutationOptions({
      onSuccess: (after) =>
        toast.success(
          after.paused
            ? `Schedule ${after.name} paused: it gives no tasks until resumed.`
            : `Schedule ${after.name} resumed.`,
        ),
      onError: (error) => toast.error(error.message),
      onSettled: refresh,
    }),
  );
  const runNow = useMutation(
    trpc.schedules.runNow.mutationOptions({
      onSuccess: (task) => {
        toast.success(`Schedule ${s.name} ran: its task is in the history.`);
        if (task) props.onTask(task.id);
      },
      onError: (error) => toast.error(error.message),
      onSettled: refresh,
    }),
  );
  const remove = useMutation(
    trpc.schedules.delete.mutationOptions({
      onSuccess: () => toast.success(`Schedule ${s.name} deleted; its past tasks stay.`),
      onError: (error) => toast.error(error.message),
      onSettled: refresh,
    }),
  );

  return (
    <tr
      data-testid="schedule-row"
      className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
    >
      <td className={cell}>
        <div className="flex flex-wrap items-center gap-2">
          <span className="font-medium">{s.name}</span>
          <StatusBadge state={s.paused ? "PAUSED" : "ACTIVE"} testId="schedule-state" />
        </div>
        <p className={`max-w-xs text-xs ${muted}`} title={s.prompt.slice(0, 1000)}>
          {clip(s.prompt, 80)}
        </p>
      </td>
      <td className={`${cell} whitespace-nowrap`}>
        <p className="font-mono text-xs" data-testid="schedule-cron">
          {s.cron}
        </p>
        <p className={`text-xs ${muted}`}>{s.timezone}</p>
        <p className={`text-xs ${muted}`}>
          missed runs: {s.missed === "RUN_ONCE" ? "run once" : "skip"}
        </p>
      </td>
      <td className={cell}>
        {s.paused ? (
          <span className={muted}>paused</span>
        ) : upcoming.length === 0 ? (
          <span className={muted}>{s.nextRuns.length ? "working them out…" : "none"}</span>
        ) : (
          <ol
            className="space-y-0.5 font-mono text-xs whitespace-nowrap"
            data-testid="schedule-next-runs"
          >
            {upcoming.map((run, i) => (
              <li key={new Date(run).toISOString()}>
                {formatRun(run, s.timezone)}
                {i === 0 && (
                  <span className={`font-sans ${muted}`}> ({untilRun(run, props.now)})</span>
                )}
              </li>
            ))}
          </ol>
        )}
      </td>
      <td className={`${cell} whitespace-nowrap`} data-testid="schedule-last-run">
        <RelativeTime date={s.lastRunAt} />
      </td>
      {canManage && (
        <td className={cell}>
          <div className="flex flex-wrap gap-1.5">
            <button
              type="button"
              className={small}
              disabled={update.isPending}
              onClick={() => update.mutate({ orgSlug, scheduleId: s.id, paused: !s.paused })}
            >
              {s.paused ? (
                <Play aria-hidden="true" className="size-3.5" />
              ) : (
                <Pause aria-hidden="true" className="size-3.5" />
              )}
              {s.paused ? "Resume" : "Pause"}
              <span className="sr-only"> {s.name}</span>
            </button>
            <button
              type="button"
              className={small}
              disabled={runNow.isPending}
              onClick={() => runNow.mutate({ orgSlug, scheduleId: s.id })}
            >
              <Zap aria-hidden="true" className="size-3.5" />
              Run now<span className="sr-only"> {s.name}</span>
            </button>
            <ConfirmButton
              className={smallDanger}
              disabled={remove.isPending}
              title={`Delete schedule ${s.name}?`}
              description="It gives no more tasks. Tasks it already started stay in the history."
              confirmLabel="Delete schedule"
              onConfirm={() => remove.mutate({ orgSlug, scheduleId: s.id })}
            >
              Delete<span className="sr-only"> {s.name}</span>
            </ConfirmButton>
          </div>
        </td>
      )}
    </tr>
  );
}
