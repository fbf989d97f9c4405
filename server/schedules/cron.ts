// Cron expressions as pg-boss's scheduler reads them (the job runner fires schedules with it),
// so what the page previews is what will run. Server-only: it loads pg-boss.
import { PgBoss } from "pg-boss";
import { isTimeZone } from "./schemas.ts";

// Constructing pg-boss connects to nothing; previewSchedule is pure.
let previewer: PgBoss | null = null;
const preview = () => {
  previewer ??= new PgBoss({ connectionString: "postgresql://preview.invalid/none" });
  return previewer;
};

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
