// How full a fixed-size thing is (a workspace, a sandbox's storage): "used of size" and a bar
// that turns amber past 80% and red past 95%, so a filling disk stands out before it is full.
const MiB = 1_048_576;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(1)} GiB`;
  return `${(bytes / MiB).toFixed(bytes < 10 * MiB ? 1 : 0)} MiB`;
}

export function UsageBar({
  label,
  usedBytes,
  sizeBytes,
  testId,
}: {
  /** What is measured, for screen readers ("Workspace"). */
  label: string;
  usedBytes: number;
  sizeBytes: number;
  testId?: string;
}) {
  const share = sizeBytes > 0 ? Math.min(1, usedBytes / sizeBytes) : 0;
  const text = `${formatBytes(usedBytes)} of ${formatBytes(sizeBytes)}`;
  const tone = share > 0.95 ? "bg-red-600" : share > 0.8 ? "bg-amber-500" : "bg-indigo-500";
  return (
    <div className="min-w-40 space-y-1" data-testid={testId}>
      <p className="text-xs">
        {text}{" "}
        <span className="text-zinc-600 dark:text-zinc-400">({Math.round(share * 100)}%)</span>
      </p>
      {/* The native meter speaks to assistive technology; the bar below is what eyes see
          (a meter's own look differs from browser to browser). */}
      <meter className="sr-only" aria-label={label} min={0} max={sizeBytes} value={usedBytes}>
        {text}
      </meter>
      <div
        aria-hidden="true"
        className="h-1.5 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
      >
        <div className={`h-full ${tone}`} style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </div>
    </div>
  );
}
