// Cron expressions and time zones as pg-boss's scheduler reads them (the job runner fires
// schedules with it), so what the page previews is what will run.
import { PgBoss } from "pg-boss";
import { z } from "zod";

// Constructing pg-boss connects to nothing; previewSchedule is pure.
let previewer: PgBoss | null = null;
const preview = () => {
  previewer ??= new PgBoss({ connectionString: "postgresql://preview.invalid/none" });
  return previewer;
};

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The next `count` runs of `cron` in `timezone`, or null when the expression is not valid. */
export function nextRuns(
  cron: string,
  timezone: string,
  count = 5,
  from = new Date(),
): Date[] | null {
  if (!isTimeZone(timezone)) return null;
  try {
    return preview().previewSchedule(cron, { tz: timezone, count, from });
  } catch {
    return null;
  }
}

export const cronSchema = z
  .string()
  .trim()
  .min(1, "Enter a cron expression")
  .max(120)
  .regex(
    /^(\S+\s+){4}\S+$/,
    "Five fields: minute hour day-of-month month day-of-week (e.g. 0 9 * * 1-5)",
  );

export const timezoneSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine(isTimeZone, "A time zone such as UTC or Europe/Berlin");
