// Level-triggered, like the worker's reconcile: every few seconds the job runner makes
// pg-boss's schedules match the Schedule table (one pg-boss schedule per active row, keyed by
// its id), so schedules created, paused or deleted by any web process take effect.
import type { PgBoss } from "pg-boss";
import type { Db } from "../db/client.ts";

export const scheduleQueue = "task-schedule";

export async function syncSchedules(
  boss: PgBoss,
  db: Db,
): Promise<{ added: number; removed: number }> {
  const wanted = await db.schedule.findMany({
    where: { paused: false, org: { deletedAt: null } },
    select: { id: true, cron: true, timezone: true, missed: true },
  });
  const existing = await boss.getSchedules(scheduleQueue);
  const byKey = new Map(existing.map((s) => [s.key, s]));
  let added = 0;
  let removed = 0;
  for (const s of wanted) {
    const missed = s.missed === "RUN_ONCE" ? "once" : "skip";
    const now = byKey.get(s.id);
    const same =
      now &&
      now.cron === s.cron &&
      now.timezone === s.timezone &&
      (now.options as { missed?: string } | null)?.missed === missed;
    if (same) continue;
    await boss.schedule(
      scheduleQueue,
      s.cron,
      { scheduleId: s.id },
      { tz: s.timezone, key: s.id, missed },
    );
    added++;
  }
  const keep = new Set(wanted.map((s) => s.id));
  for (const s of existing) {
    if (keep.has(s.key)) continue;
    await boss.unschedule(scheduleQueue, s.key);
    removed++;
  }
  return { added, removed };
}
