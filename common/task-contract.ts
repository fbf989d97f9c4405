// The task contract, version 1: how an agent runtime receives tasks and sends back what it
// does. Agents speak it to their gateway (plain HTTP to the reserved host corral.internal,
// through their proxy); the worker relays it to the control plane's worker API. No
// connection ever goes into a sandbox, and every sandbox driver carries it the same way.
// Shared by the control plane, the worker and tests; imports nothing but zod.
import { z } from "zod";

export const contractVersion = 1;
/** The reserved host agents address; the gateway answers it itself, it is never resolved. */
export const tasksHost = "corral.internal";
export const tasksBasePath = "/tasks/v1";

/** What the agent receives from `POST /next`. */
export const taskForAgentSchema = z.object({
  id: z.string(),
  prompt: z.string(),
  instructions: z.string(),
  inputs: z.array(z.object({ name: z.string(), contentBase64: z.string() })),
  timeoutSeconds: z.number().int(),
  model: z.string().nullable(),
});

export const nextRequestSchema = z.object({
  /** Chosen once per runtime process start. */
  runId: z.string().min(1).max(64),
  waitSeconds: z.number().int().min(0).max(30).default(20),
});

const text = (max: number) => z.string().max(max);
const base = {
  seq: z.number().int().min(1).max(1_000_000),
  at: z.iso.datetime({ offset: true }).optional(),
};

export const taskEventSchema = z.discriminatedUnion("type", [
  z.object({ ...base, type: z.literal("status"), message: text(2000) }),
  z.object({ ...base, type: z.literal("text"), text: text(100_000) }),
  z.object({
    ...base,
    type: z.literal("tool_call"),
    id: text(128),
    name: text(128),
    input: z.unknown(),
  }),
  z.object({
    ...base,
    type: z.literal("tool_result"),
    id: text(128),
    output: text(100_000),
    isError: z.boolean().default(false),
  }),
  z.object({
    ...base,
    type: z.literal("usage"),
    model: text(128),
    inputTokens: z.number().int().min(0).max(10_000_000),
    outputTokens: z.number().int().min(0).max(10_000_000),
  }),
  z.object({ ...base, type: z.literal("result"), text: text(200_000) }),
  z.object({
    ...base,
    type: z.literal("error"),
    message: text(2000),
    cancelled: z.boolean().default(false),
  }),
]);

export const eventsRequestSchema = z.object({ events: z.array(taskEventSchema).min(1).max(500) });
export const eventsResponseSchema = z.object({ cancel: z.boolean() });
export const controlResponseSchema = z.object({ cancel: z.boolean() });

export type TaskForAgent = z.infer<typeof taskForAgentSchema>;
export type TaskEventInput = z.input<typeof taskEventSchema>;
export type TaskEventParsed = z.output<typeof taskEventSchema>;
