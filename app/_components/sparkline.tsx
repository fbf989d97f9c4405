// A small line chart of recent samples (CPU, memory): enough to see a trend at a glance.
export function Sparkline({
  values,
  max,
  label,
  width = 240,
  height = 48,
}: {
  values: number[];
  max: number;
  label: string;
  width?: number;
  height?: number;
}) {
  if (values.length < 2)
    return <p className="text-xs text-zinc-600 dark:text-zinc-400">Collecting samples…</p>;
  const top = Math.max(max, ...values, 1e-9);
  const points = values
    .map((v, i) => `${(i / (values.length - 1)) * width},${height - (v / top) * (height - 2) - 1}`)
    .join(" ");
  return (
    <svg role="img" aria-label={label} width={width} height={height} className="text-indigo-500">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
