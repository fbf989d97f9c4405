// What tasks are made of; the same schemas validate the API and the forms. The agent-facing
// contract (what a runtime sends and receives) is in contract.ts.
import { z } from "zod";

export const maxInputBytes = 1024 * 1024;
export const maxInputsBytes = 5 * 1024 * 1024;

export const taskInputSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1)
    .max(128)
    .regex(
      /^[A-Za-z0-9._-][A-Za-z0-9._ -]*$/,
      "File names: letters, digits, dot, dash, underscore, space",
    ),
  contentBase64: z
    .string()
    .max(Math.ceil((maxInputBytes * 4) / 3) + 4, "Each file is at most 1 MiB"),
});

export const createTaskSchema = z.object({
  agentId: z.string().min(1).max(64),
  prompt: z.string().trim().min(1, "Say what the agent should do").max(100_000),
  inputs: z
    .array(taskInputSchema)
    .max(10, "At most 10 files")
    .default([])
    .refine(
      (inputs) =>
        inputs.reduce((n, i) => n + (i.contentBase64.length * 3) / 4, 0) <= maxInputsBytes,
      "At most 5 MiB of files in all",
    ),
  /** Overrides the agent's timeout for this task. */
  timeoutSeconds: z.number().int().min(10).max(86_400).optional(),
});

export const taskStatuses = [
  "QUEUED",
  "RUNNING",
  "SUCCEEDED",
  "FAILED",
  "CANCELLED",
  "TIMED_OUT",
] as const;

export const listTasksSchema = z.object({
  agentId: z.string().max(64).optional(),
  status: z.enum(taskStatuses).optional(),
  /** Tasks created before this one (the next page). */
  before: z.string().max(64).optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

export const taskRef = z.object({ taskId: z.string().min(1).max(64) });

export const agentTaskSettingsSchema = z.object({
  agentId: z.string().min(1).max(64),
  taskConcurrency: z.number().int().min(1, "At least 1").max(8, "At most 8").optional(),
  taskTimeoutSeconds: z
    .number()
    .int()
    .min(10, "At least 10 seconds")
    .max(86_400, "At most a day")
    .optional(),
  whenStopped: z.enum(["WAIT", "FAIL"]).optional(),
  instructions: z.string().max(20_000, "At most 20,000 characters").optional(),
});

export const modelPriceSchema = z.object({
  model: z.string().trim().min(1).max(128),
  inputUsdPerMTok: z.number().min(0).max(10_000),
  outputUsdPerMTok: z.number().min(0).max(10_000),
});

export const usageSchema = z.object({ days: z.number().int().min(1).max(90).default(14) });

export type CreateTaskInput = z.infer<typeof createTaskSchema>;
export type ListTasksInput = z.infer<typeof listTasksSchema>;
export type AgentTaskSettings = z.infer<typeof agentTaskSettingsSchema>;
