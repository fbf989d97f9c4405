// What the public REST API answers with: a chosen, stable subset of each record, so columns
// added for the dashboard do not become part of the public contract by accident (and
// values JSON cannot carry, such as BigInt sizes, never reach it). The procedures the web
// app calls return whole rows; these schemas are the REST procedures' output parsers,
// which keep only what is listed here. Dates travel as ISO 8601 strings.
import { z } from "zod";
import {
  ActorType,
  AgentDesiredState,
  AgentObservedState,
  AuditOutcome,
  EgressPreset,
  Role,
  SandboxState,
  TaskStatus,
} from "../db/generated/enums.ts";

const when = z.date().meta({ description: "ISO 8601 date and time" });
const whenOrNull = when.nullable();

export const agentShape = z
  .object({
    id: z.string(),
    name: z.string(),
    image: z.string(),
    command: z.array(z.string()),
    env: z.record(z.string(), z.string()),
    cpuMillis: z.number().int(),
    memoryMb: z.number().int(),
    workspaceMb: z.number().int(),
    generation: z.number().int(),
    desiredState: z.enum(AgentDesiredState),
    observedState: z.enum(AgentObservedState),
    observedReason: z.string().nullable(),
    restartCount: z.number().int(),
    egressPreset: z.enum(EgressPreset),
    quarantinedAt: whenOrNull,
    startedAt: whenOrNull,
    createdAt: when,
    updatedAt: when,
  })
  .meta({ id: "Agent" });

export const agentListShape = z.object({
  agents: z.array(agentShape),
  sandbox: z
    .object({
      state: z.enum(SandboxState),
      reason: z.string().nullable(),
      host: z.string().nullable(),
    })
    .nullable()
    .meta({ description: "The organisation's sandbox, once it has one" }),
});

export const auditEventShape = z
  .object({
    id: z.string(),
    seq: z.number().int().nullable(),
    occurredAt: when,
    actorType: z.enum(ActorType),
    actorId: z.string().nullable(),
    actorName: z.string(),
    action: z.string(),
    targetType: z.string().nullable(),
    targetId: z.string().nullable(),
    targetName: z.string().nullable(),
    outcome: z.enum(AuditOutcome),
    ipAddress: z.string().nullable(),
    userAgent: z.string().nullable(),
    requestId: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    prevHash: z.string().nullable(),
    hash: z.string().nullable(),
  })
  .meta({ id: "AuditEvent" });

export const auditPageShape = z.object({
  events: z.array(auditEventShape),
  nextCursor: z
    .number()
    .int()
    .nullable()
    .meta({ description: "Pass as `cursor` for the next (older) page; null on the last" }),
});

export const memberShape = z
  .object({
    userId: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(Role),
    joinedAt: when,
    lastActiveAt: whenOrNull,
  })
  .meta({ id: "Member" });

export const taskShape = z
  .object({
    id: z.string(),
    agentId: z.string(),
    agentName: z.string(),
    prompt: z.string(),
    status: z.enum(TaskStatus),
    reason: z.string().nullable(),
    startedByType: z.enum(ActorType),
    startedByName: z.string(),
    scheduleId: z.string().nullable(),
    createdAt: when,
    startedAt: whenOrNull,
    finishedAt: whenOrNull,
    model: z.string().nullable(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    costUsd: z.number(),
  })
  .meta({ id: "Task" });

export const taskDetailShape = taskShape
  .extend({
    result: z.string().nullable(),
    timeoutSeconds: z.number().int(),
    cancelRequestedAt: whenOrNull,
    inputs: z.array(z.object({ name: z.string(), size: z.number().int() })),
  })
  .meta({ id: "TaskDetail" });

/** An agent row as the public API shows it (env is stored as JSON: a record of strings). */
export function publicAgent<T extends { env: unknown }>(row: T) {
  return { ...row, env: row.env as Record<string, string> };
}

/** An audit event row with its metadata typed as the record it always is. */
export function publicAuditEvent<T extends { metadata: unknown }>(row: T) {
  return { ...row, metadata: row.metadata as Record<string, unknown> };
}
