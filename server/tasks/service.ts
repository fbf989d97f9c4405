// Tasks as people and API keys (and schedules) see them: give an agent work, cancel it, read
// history, transcripts and usage. Every state change is audited in its own transaction and
// wakes the agent's waiting runtime through its queue's notification.

import { DomainError } from "../../common/errors.ts";
import { type AuditActor, type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import type { Db, Tx } from "../db/client.ts";
import { isFinished, notifyTask } from "./dispatch.ts";
import type { AgentTaskSettings, CreateTaskInput, ListTasksInput } from "./schemas.ts";

/** Who starts a task: a person or key (Acting), or a schedule. */
export type TaskStarter = { audit: AuditActor; scheduleId?: string };

async function findAgent(tx: Tx | Db, orgId: string, agentId: string) {
  const agent = await tx.agent.findFirst({ where: { id: agentId, orgId } });
  if (!agent)
    throw new DomainError("NOT_FOUND", "That agent does not exist (any more).", "agentId");
  return agent;
}

async function findTask(tx: Tx | Db, orgId: string, taskId: string) {
  const task = await tx.task.findFirst({ where: { id: taskId, orgId } });
  if (!task) throw new DomainError("NOT_FOUND", "That task does not exist (any more).");
  return task;
}

const taskTarget = (t: { id: string; prompt: string }) => ({
  type: "task",
  id: t.id,
  name: t.prompt.length > 80 ? `${t.prompt.slice(0, 79)}…` : t.prompt,
});

export async function createTask(
  db: Db,
  starter: TaskStarter,
  orgId: string,
  input: CreateTaskInput,
  request: AuditRequest,
) {
  return db.$transaction(
    async (tx) => {
      const agent = await findAgent(tx, orgId, input.agentId);
      // A stopped agent's tasks wait for it, or fail at once, as its settings say.
      const refuse =
        agent.whenStopped === "FAIL" &&
        (agent.desiredState === "STOPPED" || agent.quarantinedAt !== null)
          ? `${agent.name} is ${agent.quarantinedAt ? "quarantined" : "stopped"}, and its settings fail tasks given while it is stopped`
          : null;
      const task = await tx.task.create({
        data: {
          orgId,
          agentId: agent.id,
          prompt: input.prompt,
          timeoutSeconds: input.timeoutSeconds ?? agent.taskTimeoutSeconds,
          startedByType: starter.audit.type,
          startedById: starter.audit.id ?? null,
          startedByName: starter.audit.name,
          scheduleId: starter.scheduleId ?? null,
          ...(refuse && { status: "FAILED", reason: refuse, finishedAt: new Date() }),
          inputs: {
            create: input.inputs.map((file) => {
              const content = Buffer.from(file.contentBase64, "base64");
              return { name: file.name, content, size: content.length };
            }),
          },
        },
      });
      await recordAuditEvent(tx, {
        orgId,
        actor: starter.audit,
        action: refuse ? "task.failed" : "task.queued",
        outcome: refuse ? "FAILURE" : "SUCCESS",
        target: taskTarget(task),
        request,
        metadata: {
          agent: { id: agent.id, name: agent.name },
          inputs: input.inputs.map((i) => i.name),
          timeoutSeconds: task.timeoutSeconds,
          ...(starter.scheduleId && { scheduleId: starter.scheduleId }),
          ...(refuse && { reason: refuse }),
        },
      });
      await notifyTask(tx, agent.id, task.id);
      return task;
    },
    { maxWait: 10_000 },
  );
}

/** A queued task is cancelled at once; a running one is asked to stop (its agent confirms). */
export async function cancelTask(
  db: Db,
  acting: Acting,
  orgId: string,
  taskId: string,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Task" WHERE id = ${taskId} AND "orgId" = ${orgId} FOR UPDATE`;
    const task = await findTask(tx, orgId, taskId);
    if (isFinished(task.status))
      throw new DomainError(
        "CONFLICT",
        `The task has already ${task.status === "SUCCEEDED" ? "succeeded" : "ended"}.`,
      );
    const now = new Date();
    const queued = task.status === "QUEUED";
    const updated = await tx.task.update({
      where: { id: task.id },
      data: queued
        ? {
            status: "CANCELLED",
            finishedAt: now,
            cancelRequestedAt: now,
            reason: `cancelled by ${acting.audit.name}`,
          }
        : { cancelRequestedAt: task.cancelRequestedAt ?? now },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: queued ? "task.cancelled" : "task.cancel_requested",
      target: taskTarget(task),
      request,
      metadata: { before: task.status },
    });
    await notifyTask(tx, task.agentId, task.id);
    return updated;
  });
}

const listSelect = {
  id: true,
  agentId: true,
  prompt: true,
  status: true,
  reason: true,
  startedByType: true,
  startedByName: true,
  scheduleId: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  model: true,
  inputTokens: true,
  outputTokens: true,
  costUsd: true,
  agent: { select: { name: true } },
} as const;

/** History, newest first, for the organisation or one agent. */
export async function listTasks(db: Db, orgId: string, input: ListTasksInput) {
  const before = input.before
    ? await db.task.findFirst({ where: { id: input.before, orgId } })
    : null;
  const rows = await db.task.findMany({
    where: {
      orgId,
      ...(input.agentId && { agentId: input.agentId }),
      ...(input.status && { status: input.status }),
      ...(before && {
        OR: [
          { createdAt: { lt: before.createdAt } },
          { createdAt: before.createdAt, id: { lt: before.id } },
        ],
      }),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
    select: listSelect,
  });
  return rows.map(({ agent, ...row }) => ({ ...row, agentName: agent.name }));
}

/** One task with its inputs (names and sizes) and its whole transcript from the start. */
export async function getTask(db: Db, orgId: string, taskId: string) {
  const task = await db.task.findFirst({
    where: { id: taskId, orgId },
    select: {
      ...listSelect,
      result: true,
      timeoutSeconds: true,
      cancelRequestedAt: true,
      inputs: { select: { name: true, size: true } },
    },
  });
  if (!task) throw new DomainError("NOT_FOUND", "That task does not exist (any more).");
  const { agent, ...rest } = task;
  return { ...rest, agentName: agent.name };
}

/** Transcript events after `afterSeq` (0: from the start), in order. */
export async function taskEvents(db: Db, orgId: string, taskId: string, afterSeq = 0) {
  const rows = await db.taskEvent.findMany({
    where: { taskId, seq: { gt: afterSeq }, task: { orgId } },
    orderBy: { seq: "asc" },
    take: 2000,
  });
  return rows.map((e) => ({
    seq: e.seq,
    type: e.type,
    at: e.at,
    data: e.data as Record<string, unknown>,
  }));
}

export async function setAgentTaskSettings(
  db: Db,
  acting: Acting,
  orgId: string,
  input: AgentTaskSettings,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const before = await findAgent(tx, orgId, input.agentId);
    // Only the settings (the input also carries orgSlug and agentId); unset ones stay.
    const changes = {
      taskConcurrency: input.taskConcurrency,
      taskTimeoutSeconds: input.taskTimeoutSeconds,
      whenStopped: input.whenStopped,
      instructions: input.instructions,
    };
    const after = await tx.agent.update({ where: { id: before.id }, data: changes });
    const pick = (a: typeof before) => ({
      taskConcurrency: a.taskConcurrency,
      taskTimeoutSeconds: a.taskTimeoutSeconds,
      whenStopped: a.whenStopped,
      instructionsLength: a.instructions.length,
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "agent.task_settings_changed",
      target: { type: "agent", id: before.id, name: before.name },
      request,
      metadata: { before: pick(before), after: pick(after) },
    });
    // A higher concurrency may let a waiting task start now.
    await notifyTask(tx, before.id);
    return pick(after);
  });
}

/** Tokens and estimated cost per day (UTC) and model, for the usage chart. */
export async function usagePerDay(db: Db, orgId: string, days: number) {
  const since = new Date(Date.now() - days * 86_400_000);
  const rows = await db.$queryRaw<
    {
      day: Date;
      model: string | null;
      input: bigint;
      output: bigint;
      cost: number;
      tasks: bigint;
    }[]
  >`
    SELECT date_trunc('day', "createdAt") AS day, model,
           SUM("inputTokens")::bigint AS input, SUM("outputTokens")::bigint AS output,
           SUM("costUsd")::float8 AS cost, COUNT(*)::bigint AS tasks
    FROM "Task" WHERE "orgId" = ${orgId} AND "createdAt" >= ${since}
    GROUP BY 1, 2 ORDER BY 1`;
  return rows.map((r) => ({
    day: r.day.toISOString().slice(0, 10),
    model: r.model ?? "none",
    inputTokens: Number(r.input),
    outputTokens: Number(r.output),
    costUsd: r.cost,
    tasks: Number(r.tasks),
  }));
}

export async function setModelPrice(
  db: Db,
  acting: Acting,
  orgId: string,
  input: { model: string; inputUsdPerMTok: number; outputUsdPerMTok: number },
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const price = await tx.modelPrice.upsert({
      where: { orgId_model: { orgId, model: input.model } },
      create: { orgId, ...input },
      update: { inputUsdPerMTok: input.inputUsdPerMTok, outputUsdPerMTok: input.outputUsdPerMTok },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "model_price.changed",
      target: { type: "model", id: input.model, name: input.model },
      request,
      metadata: {
        inputUsdPerMTok: input.inputUsdPerMTok,
        outputUsdPerMTok: input.outputUsdPerMTok,
      },
    });
    return price;
  });
}
