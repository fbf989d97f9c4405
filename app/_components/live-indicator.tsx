// Whether a page is receiving live updates: "live" while the stream is open, otherwise
// "connecting…" or "reconnecting…" (the page falls back to refreshing on its own meanwhile).
export function LiveIndicator({ status }: { status: "idle" | "connecting" | "pending" | "error" }) {
  const live = status === "pending";
  return (
    <span
      role="status"
      data-testid="live-indicator"
      className="inline-flex items-center gap-1.5 text-xs font-normal text-zinc-600 dark:text-zinc-400"
    >
      <span
        aria-hidden="true"
        className={`size-2 rounded-full ${live ? "bg-emerald-500" : "animate-pulse bg-amber-500"}`}
      />
      {live ? "live" : status === "error" ? "reconnecting…" : "connecting…"}
    </span>
  );
}
