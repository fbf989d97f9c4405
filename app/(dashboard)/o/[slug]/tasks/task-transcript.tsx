"use client";
// One task's live transcript: the assistant's text as it streams, tool calls folded with their
// results, status lines, usage, and the final result or error. It comes from tasks.watch, which
// replays everything from the start and then pushes each new event, so a reload (or a
// reconnect) shows the whole transcript again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import {
  AlertTriangle,
  Ban,
  CheckCircle2,
  ChevronRight,
  Coins,
  Info,
  Loader2,
  Wrench,
  X,
} from "lucide-react";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import { toast } from "sonner";
import { dangerButton, secondaryButton } from "@/app/_components/buttons.ts";
import { LiveIndicator } from "@/app/_components/live-indicator.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { StatusBadge } from "@/app/_components/status-badge.tsx";
import {
  foldTranscript,
  formatInput,
  type TranscriptEvent,
  type TranscriptItem,
  toolSummary,
} from "@/app/lib/transcript.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import { formatBytes } from "../secrets/ledger.tsx";
import {
  formatCost,
  formatCount,
  formatDuration,
  isTaskFinished,
  startedBy,
  type TaskStatus,
  taskStatusLabels,
} from "./format.ts";
import { useNow } from "./hooks.ts";

const muted = "text-zinc-600 dark:text-zinc-400";
const pre =
  "max-h-80 overflow-auto rounded-md bg-zinc-100 p-3 font-mono text-xs whitespace-pre-wrap break-words dark:bg-zinc-950";

type Task = { status: TaskStatus; finishedAt: Date | null };

/** The later of two copies of a task: once ended it stays ended, whichever read lands last. */
function newerTask<T extends Task>(known: T | undefined, fresh: T): T {
  if (known && isTaskFinished(known.status) && !isTaskFinished(fresh.status)) return known;
  return fresh;
}

export function TaskTranscript(props: {
  orgSlug: string;
  taskId: string;
  /** Where "Close" leads (the page without this task open). */
  closeHref: string;
  canManage: boolean;
  /** Link to the task's agent (on the organisation's page). */
  showAgent?: boolean;
}) {
  const { orgSlug, taskId, canManage } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = { orgSlug, taskId };
  const [events, setEvents] = useState<Map<number, TranscriptEvent>>(() => new Map());
  // Everything from the start, then each change as it is stored. A reconnect replays from
  // the start: events are kept by seq, so nothing doubles.
  const taskKey = trpc.tasks.get.queryKey(input);
  const live = useSubscription(
    trpc.tasks.watch.subscriptionOptions(input, {
      onData: ({ task, events: fresh }) => {
        queryClient.setQueryData(taskKey, (known) => newerTask(known, task));
        if (fresh.length > 0)
          setEvents((known) => {
            const next = new Map(known);
            for (const e of fresh) next.set(e.seq, e);
            return next;
          });
      },
    }),
  );
  const following = live.status === "pending";
  const task = useQuery({
    ...trpc.tasks.get.queryOptions(input),
    // A read that left before the task ended must not undo the stream's news of its end.
    structuralSharing: (known, fresh) => newerTask(known as Task | undefined, fresh as Task),
    // The stream is the news; if it stops before the task ends, reading again stands in.
    refetchInterval: (query) =>
      following || (query.state.data && isTaskFinished(query.state.data.status)) ? false : 3000,
  });
  const items = useMemo(() => foldTranscript([...events.values()]), [events]);
  // The final result or error stands below the scrolling steps, always in view.
  const steps = items.filter((i) => i.kind !== "result" && i.kind !== "error");
  const finals = items.filter((i) => i.kind === "result" || i.kind === "error");
  const status = task.data?.status;
  const finished = status ? isTaskFinished(status) : false;
  const now = useNow(1000, status === "RUNNING");

  const cancel = useMutation(
    trpc.tasks.cancel.mutationOptions({
      onSuccess: (t) =>
        toast.success(
          t.status === "CANCELLED"
            ? "Task cancelled before it started."
            : "Cancel requested: the agent stops the task.",
        ),
      onError: (error) => toast.error(error.message),
      // A stale answer cannot undo an end the stream already brought (newerTask).
      onSettled: () => queryClient.invalidateQueries({ queryKey: taskKey }),
    }),
  );

  // Opening a task brings its transcript into view and moves focus to it.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
    heading.current?.scrollIntoView({ block: "nearest" });
  }, []);

  // The transcript follows new events while it is scrolled to the bottom.
  const log = useRef<HTMLElement>(null);
  const stick = useRef(true);
  const last = steps.at(-1);
  const size = `${steps.length}:${last?.kind === "text" ? last.text.length : 0}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll whenever the transcript grows
  useEffect(() => {
    const el = log.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [size]);

  const t = task.data;
  const subscriptionError = live.status === "error" ? live.error?.message : null;

  return (
    <section
      aria-labelledby="transcript-heading"
      data-testid="task-transcript"
      className="space-y-4 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-wrap items-center gap-3">
        <h2
          id="transcript-heading"
          ref={heading}
          tabIndex={-1}
          className="text-lg font-semibold focus:outline-none"
        >
          Transcript
        </h2>
        {t && <StatusBadge state={t.status} testId="transcript-status" />}
        {t && !finished && <LiveIndicator status={live.status} />}
        <div className="ml-auto flex flex-wrap gap-2">
          {t && !finished && canManage && (
            <button
              type="button"
              className={dangerButton}
              disabled={cancel.isPending || t.cancelRequestedAt !== null}
              onClick={() => cancel.mutate(input)}
            >
              <span className="inline-flex items-center gap-1.5">
                <Ban aria-hidden="true" className="size-4" />
                {t.cancelRequestedAt || cancel.isPending ? "Cancelling…" : "Cancel task"}
              </span>
            </button>
          )}
          <Link href={props.closeHref} scroll={false} className={secondaryButton}>
            <span className="inline-flex items-center gap-1.5">
              <X aria-hidden="true" className="size-4" />
              Close<span className="sr-only"> the transcript</span>
            </span>
          </Link>
        </div>
      </div>
      {/* What a screen reader hears when the task ends (not every streamed word). */}
      <p role="status" className="sr-only">
        {t && finished ? `Task ${taskStatusLabels[t.status]}.` : ""}
      </p>

      {task.isPending ? (
        <Skeleton label="Loading the task" height="h-40" />
      ) : task.isError ? (
        <Notice tone="error">{task.error.message}</Notice>
      ) : (
        t && (
          <>
            <dl className="flex flex-wrap gap-x-6 gap-y-1 text-sm" data-testid="transcript-meta">
              {props.showAgent && (
                <div className="flex gap-1.5">
                  <dt className={muted}>Agent</dt>
                  <dd>
                    <Link
                      href={`/o/${orgSlug}/agents/${t.agentId}?tab=tasks&task=${t.id}`}
                      className="font-medium underline-offset-2 hover:underline"
                    >
                      {t.agentName}
                    </Link>
                  </dd>
                </div>
              )}
              <div className="flex gap-1.5">
                <dt className={muted}>Started by</dt>
                <dd>
                  {startedBy(t).kind && <span className={muted}>{startedBy(t).kind} </span>}
                  {startedBy(t).name}
                </dd>
              </div>
              <div className="flex gap-1.5">
                <dt className={muted}>Created</dt>
                <dd>
                  <RelativeTime date={t.createdAt} />
                </dd>
              </div>
              <div className="flex gap-1.5">
                <dt className={muted}>Duration</dt>
                <dd>
                  {t.startedAt
                    ? formatDuration(
                        (t.finishedAt ? new Date(t.finishedAt).getTime() : now) -
                          new Date(t.startedAt).getTime(),
                      )
                    : finished
                      ? "never started"
                      : "waiting for the agent"}
                </dd>
              </div>
              <div className="flex gap-1.5">
                <dt className={muted}>Tokens</dt>
                <dd data-testid="transcript-tokens">
                  {formatCount(t.inputTokens)} in · {formatCount(t.outputTokens)} out
                </dd>
              </div>
              <div className="flex gap-1.5">
                <dt className={muted}>Estimated cost</dt>
                <dd>
                  {formatCost(t.costUsd)}
                  {t.model && <span className={muted}> · {t.model}</span>}
                </dd>
              </div>
            </dl>

            <div className="space-y-1">
              <h3 className={`text-xs font-semibold uppercase ${muted}`}>Prompt</h3>
              <p
                data-testid="transcript-prompt"
                className="max-h-48 overflow-auto rounded-md border-l-4 border-indigo-400 bg-indigo-50 px-3 py-2 text-sm whitespace-pre-wrap dark:border-indigo-500 dark:bg-indigo-950"
              >
                {t.prompt}
              </p>
              {t.inputs.length > 0 && (
                <p className={`text-xs break-all ${muted}`} data-testid="transcript-inputs">
                  Files (in /workspace/inputs/{t.id}/):{" "}
                  {t.inputs.map((f) => `${f.name} (${formatBytes(f.size)})`).join(", ")}
                </p>
              )}
            </div>

            {subscriptionError && (
              <Notice tone="error">
                {subscriptionError} The transcript is not updating; reload the page to try again.
              </Notice>
            )}

            <section
              ref={log}
              onScroll={(e) => {
                const el = e.currentTarget;
                stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
              }}
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable from the keyboard
              tabIndex={0}
              aria-label="Transcript events"
              data-testid="transcript-events"
              className="max-h-[36rem] space-y-3 overflow-y-auto rounded-lg border border-zinc-200 p-3 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:border-zinc-800"
            >
              {steps.length === 0 ? (
                <p className={`text-sm ${muted}`}>
                  {t.status === "QUEUED"
                    ? `Queued: waiting for ${t.agentName} to take it. Its transcript appears here as it works.`
                    : finals.length > 0
                      ? "The agent reported no steps."
                      : finished
                        ? "No transcript: the agent never reported on this task."
                        : "Waiting for the agent's first words…"}
                </p>
              ) : (
                steps.map((item) => (
                  <Entry key={item.key} item={item} running={!finished} taskStatus={t.status} />
                ))
              )}
              {!finished && t.status === "RUNNING" && steps.length > 0 && (
                <p className={`flex items-center gap-2 text-xs ${muted}`}>
                  <Loader2 aria-hidden="true" className="size-3 animate-spin" /> working…
                </p>
              )}
            </section>

            {finals.map((item) => (
              <Entry key={item.key} item={item} running={!finished} taskStatus={t.status} />
            ))}
            {finished && finals.length === 0 && (
              <Outcome
                tone={t.status === "SUCCEEDED" ? "good" : t.status === "CANCELLED" ? "idle" : "bad"}
                title={`Task ${taskStatusLabels[t.status]}`}
                text={t.reason ?? t.result ?? ""}
                testId="transcript-outcome"
              />
            )}
            {finished &&
              t.reason &&
              finals.length > 0 &&
              !finals.some((i) => i.kind === "error" && i.message === t.reason) && (
                <p className={`text-sm ${muted}`} data-testid="transcript-reason">
                  {taskStatusLabels[t.status]}: {t.reason}
                </p>
              )}
          </>
        )
      )}
    </section>
  );
}

function Entry({
  item,
  running,
  taskStatus,
}: {
  item: TranscriptItem;
  running: boolean;
  taskStatus: string;
}) {
  switch (item.kind) {
    case "text":
      return (
        <p data-testid="transcript-text" className="text-sm leading-relaxed whitespace-pre-wrap">
          {item.text}
        </p>
      );
    case "status":
      return (
        <p
          data-testid="transcript-status-line"
          className={`flex items-center gap-2 text-xs ${muted}`}
        >
          <Info aria-hidden="true" className="size-3.5 shrink-0" />
          <span>{item.message}</span>
          <span aria-hidden="true">·</span>
          <RelativeTime date={item.at} />
        </p>
      );
    case "usage":
      return (
        <p data-testid="transcript-usage" className={`flex items-center gap-2 text-xs ${muted}`}>
          <Coins aria-hidden="true" className="size-3.5 shrink-0" />
          {item.model}: {formatCount(item.inputTokens)} tokens in, {formatCount(item.outputTokens)}{" "}
          out
        </p>
      );
    case "tool":
      return <ToolCall item={item} running={running} />;
    case "result":
      return <Outcome tone="good" title="Result" text={item.text} testId="transcript-result" />;
    case "error":
      return (
        <Outcome
          tone={item.cancelled || taskStatus === "CANCELLED" ? "idle" : "bad"}
          title={item.cancelled || taskStatus === "CANCELLED" ? "Cancelled" : "Error"}
          text={item.message}
          testId="transcript-error"
        />
      );
  }
}

function ToolCall({
  item,
  running,
}: {
  item: Extract<TranscriptItem, { kind: "tool" }>;
  running: boolean;
}) {
  const summary = toolSummary(item.input);
  const error = item.result?.isError === true;
  return (
    <details
      data-testid="tool-call"
      data-error={error ? "true" : undefined}
      className={`group rounded-lg border text-sm ${
        error
          ? "border-red-300 bg-red-50 dark:border-red-900 dark:bg-red-950/40"
          : "border-zinc-200 bg-zinc-50 dark:border-zinc-700 dark:bg-zinc-800/40"
      }`}
    >
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-lg px-3 py-2 focus-visible:outline-2 focus-visible:outline-indigo-500 [&::-webkit-details-marker]:hidden">
        <ChevronRight
          aria-hidden="true"
          className="size-4 shrink-0 transition-transform group-open:rotate-90"
        />
        <Wrench aria-hidden="true" className="size-4 shrink-0" />
        <span className="font-mono font-semibold" data-testid="tool-name">
          {item.name}
        </span>
        <span className={`min-w-0 flex-1 truncate font-mono text-xs ${muted}`}>{summary}</span>
        {item.result ? (
          error ? (
            <span className="shrink-0 text-xs font-medium text-red-700 dark:text-red-300">
              error
            </span>
          ) : (
            <span className="shrink-0 text-xs font-medium text-emerald-700 dark:text-emerald-400">
              done
            </span>
          )
        ) : running ? (
          <span className={`inline-flex shrink-0 items-center gap-1 text-xs ${muted}`}>
            <Loader2 aria-hidden="true" className="size-3 animate-spin" /> running
          </span>
        ) : (
          <span className={`shrink-0 text-xs ${muted}`}>no result</span>
        )}
      </summary>
      <div className="space-y-2 border-t border-inherit px-3 py-2">
        <div className="space-y-1">
          <p className={`text-xs font-semibold uppercase ${muted}`}>Input</p>
          <pre className={pre}>{formatInput(item.input)}</pre>
        </div>
        <div className="space-y-1">
          <p
            className={`text-xs font-semibold uppercase ${error ? "text-red-800 dark:text-red-300" : muted}`}
          >
            {error ? "Result (error)" : "Result"}
          </p>
          {item.result ? (
            <pre
              data-testid="tool-result"
              className={`${pre} ${error ? "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-100" : ""}`}
            >
              {item.result.output || "(no output)"}
            </pre>
          ) : (
            <p className={`text-xs ${muted}`}>
              {running ? "Still running…" : "The task ended before this call returned."}
            </p>
          )}
        </div>
      </div>
    </details>
  );
}

const outcomeTones = {
  good: {
    box: "border-emerald-300 bg-emerald-50 text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-50",
    icon: CheckCircle2,
  },
  bad: {
    box: "border-red-300 bg-red-50 text-red-950 dark:border-red-800 dark:bg-red-950 dark:text-red-50",
    icon: AlertTriangle,
  },
  idle: {
    box: "border-zinc-300 bg-zinc-100 text-zinc-900 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-100",
    icon: Ban,
  },
};

function Outcome(props: {
  tone: keyof typeof outcomeTones;
  title: string;
  text: string;
  testId?: string;
}) {
  const tone = outcomeTones[props.tone];
  const Icon = tone.icon;
  return (
    <div data-testid={props.testId} className={`space-y-1 rounded-lg border-2 p-3 ${tone.box}`}>
      <p className="flex items-center gap-2 text-sm font-semibold">
        <Icon aria-hidden="true" className="size-4" />
        {props.title}
      </p>
      {props.text && props.text.trim().toLowerCase() !== props.title.toLowerCase() && (
        <p className="text-sm whitespace-pre-wrap">{props.text}</p>
      )}
    </div>
  );
}
