// How tasks' numbers read: durations, token counts, estimated costs, who started them.
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/root-router.ts";

type Outputs = inferRouterOutputs<AppRouter>;
export type TaskRow = Outputs["tasks"]["list"][number];
export type TaskDetail = Outputs["tasks"]["get"];
export type TaskStatus = TaskRow["status"];

export const taskStatusLabels: Record<TaskStatus, string> = {
  QUEUED: "queued",
  RUNNING: "running",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  CANCELLED: "cancelled",
  TIMED_OUT: "timed out",
};

export const isTaskFinished = (status: TaskStatus) => status !== "QUEUED" && status !== "RUNNING";

/** "850 ms", "4.2 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A duration in whole seconds as a person says it: "30 min", "1 h 30 min", "45 s". */
export function formatSeconds(total: number): string {
  if (!Number.isFinite(total) || total <= 0) return "";
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h && `${h} h`, m && `${m} min`, s && `${s} s`].filter(Boolean).join(" ");
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });
const grouped = new Intl.NumberFormat("en");

/** 950, 12.3K, 4.5M: for tables; the exact figure goes in a title. */
export function formatTokens(n: number): string {
  return n < 10_000 ? grouped.format(n) : compact.format(n);
}

export const formatCount = (n: number) => grouped.format(n);

/** US dollars, with enough decimals that small estimates do not read as zero. */
export function formatCost(usd: number): string {
  if (usd === 0) return "$0.00";
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 100) return `$${usd.toFixed(2)}`;
  return `$${grouped.format(Math.round(usd))}`;
}

/** The person, key or schedule that started a task, e.g. "schedule nightly". */
export function startedBy(task: Pick<TaskRow, "startedByType" | "startedByName">): {
  name: string;
  kind: string | null;
} {
  if (task.startedByType === "API_KEY") return { name: task.startedByName, kind: "API key" };
  if (task.startedByType === "SYSTEM")
    return { name: task.startedByName.replace(/^schedule /, ""), kind: "schedule" };
  return { name: task.startedByName, kind: null };
}

/** A prompt cut to one line of at most `length` characters. */
export function clip(text: string, length: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
