// One look for every state a thing can be in: agents, sandboxes, hosts, tasks, schedules.
const tones = {
  good: "bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  busy: "bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-200",
  bad: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-200",
  idle: "bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200",
};

const toneOf: Record<string, keyof typeof tones> = {
  RUNNING: "good",
  READY: "good",
  LIVE: "good",
  PENDING: "busy",
  PROVISIONING: "busy",
  STOPPING: "busy",
  DRAINING: "busy",
  CORDONED: "busy",
  STOPPED: "idle",
  FAILED: "bad",
  CRASH_LOOPING: "bad",
  LOST: "bad",
  REVOKED: "bad",
  QUARANTINED: "bad",
  // Tasks and schedules.
  QUEUED: "busy",
  SUCCEEDED: "good",
  CANCELLED: "idle",
  TIMED_OUT: "bad",
  ACTIVE: "good",
  PAUSED: "idle",
};

export function StatusBadge({ state, testId }: { state: string; testId?: string }) {
  const label = state.toLowerCase().replaceAll("_", "-");
  return (
    <span
      data-testid={testId}
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ${tones[toneOf[state] ?? "idle"]}`}
    >
      <span aria-hidden="true" className="size-1.5 rounded-full bg-current" />
      {label}
    </span>
  );
}
