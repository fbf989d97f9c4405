// When a schedule runs, as a person reads it in the schedule's own time zone.

/** "Mon 2 Dec, 09:00" in `timezone` (falls back to UTC for a zone the browser does not know). */
export function formatRun(run: Date | string, timezone: string): string {
  const date = new Date(run);
  const options: Intl.DateTimeFormatOptions = {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  };
  try {
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: timezone }).format(date);
  } catch {
    return `${new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" }).format(date)} UTC`;
  }
}
