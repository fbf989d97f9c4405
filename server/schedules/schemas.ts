// What a schedule is made of; the same schemas validate the API and the form as you type.
// Pure (zod and Intl only), so the browser can load it; whether the scheduler understands an
// expression is asked of the server (cron.ts, schedules.preview) and checked on save.
import { z } from "zod";

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
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
  .min(1, "A time zone such as UTC or Europe/Berlin")
  .max(64)
  .refine(isTimeZone, "A time zone such as UTC or Europe/Berlin");

export const scheduleFieldsSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Name the schedule")
    .max(64, "At most 64 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "Letters, digits, space, dot, dash and underscore"),
  cron: cronSchema,
  timezone: timezoneSchema.default("UTC"),
  prompt: z.string().trim().min(1, "Say what the agent should do").max(100_000),
  /** Runs missed while Corral was down: skipped, or one run as soon as it is back. */
  missed: z.enum(["SKIP", "RUN_ONCE"]).default("SKIP"),
});

export const createScheduleSchema = scheduleFieldsSchema.extend({
  agentId: z.string().min(1).max(64),
});

export const scheduleRef = z.object({ scheduleId: z.string().min(1).max(64) });

export const updateScheduleSchema = z.object({
  scheduleId: z.string().min(1).max(64),
  paused: z.boolean().optional(),
  cron: cronSchema.optional(),
  timezone: timezoneSchema.optional(),
  prompt: z.string().trim().min(1).max(100_000).optional(),
  missed: z.enum(["SKIP", "RUN_ONCE"]).optional(),
});

export const previewSchema = z.object({
  cron: z.string().max(120),
  timezone: z.string().max(64).default("UTC"),
});

export type CreateScheduleInput = z.infer<typeof createScheduleSchema>;
export type UpdateScheduleInput = z.infer<typeof updateScheduleSchema>;
