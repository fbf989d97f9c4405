// The HTTP contract between workers and the control plane, shared by both sides.
// Versioned in the URL (/api/worker/v1/...); bump it when a change is not additive.
import { z } from "zod";

export const workerApiBase = "/api/worker/v1";

export const engineInfoSchema = z.object({
  serverVersion: z.string().max(64),
  operatingSystem: z.string().max(256),
  cpus: z.number().int().nonnegative(),
  memoryBytes: z.number().int().nonnegative(),
  containers: z.number().int().nonnegative(),
  runtimes: z.array(z.string().max(64)).max(32),
});

export const heartbeatRequestSchema = z.object({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, "letters, digits, dot, dash and underscore only"),
  version: z.string().min(1).max(32),
  labels: z.record(z.string().max(64), z.string().max(256)).default({}),
  engine: engineInfoSchema,
});

export const heartbeatResponseSchema = z.object({
  hostId: z.string(),
  heartbeatSeconds: z.number().int().positive(),
});

export type EngineInfo = z.infer<typeof engineInfoSchema>;
export type HeartbeatRequest = z.infer<typeof heartbeatRequestSchema>;
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;
