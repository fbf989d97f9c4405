// What a schedule is made of; the same schemas validate the API and the form.
import { z } from "zod";
import { cronSchema, nextRuns, timezoneSchema } from "./cron.ts";

export const scheduleFieldsSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "Name the schedule")
      .max(64)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "Letters, digits, space, dot, dash and underscore"),
    cron: cronSchema,
    timezone: timezoneSchema.default("UTC"),
    prompt: z.string().trim().min(1, "Say what the agent should do").max(100_000),
    /** Runs missed while Corral was down: skipped, or one run as soon as it is back. */
    missed: z.enum(["SKIP", "RUN_ONCE"]).default("SKIP"),
  })
  .refine((s) => nextRuns(s.cron, s.timezone, 1) !== null, {
    path: ["cron"],
    message: "Not a cron expression this scheduler understands",
  });

export const createScheduleSchema = z.intersection(
  z.object({ agentId: z.string().min(1).max(64) }),
  scheduleFieldsSchema,
);

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
