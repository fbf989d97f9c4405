"use client";
// "3 minutes ago", with the exact UTC time on hover and for assistive technology.
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 31_536_000],
  ["month", 2_592_000],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

export function formatRelative(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

export function RelativeTime({ date }: { date: Date | string | null }) {
  if (!date) return <span className="text-zinc-600 dark:text-zinc-400">never</span>;
  const value = new Date(date);
  return (
    <time dateTime={value.toISOString()} title={value.toUTCString()}>
      {formatRelative(value)}
    </time>
  );
}
