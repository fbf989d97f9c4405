// Schedules: a cron expression (in a time zone) that gives an agent a task. The job runner
// hands them to pg-boss's scheduler (sync.ts); each run is a task started by the schedule.

import { DomainError } from "../../common/errors.ts";
import { type AuditRequest, recordAuditEvent } from "../audit/record.ts";
import type { Acting } from "../auth/acting.ts";
import type { Db, Tx } from "../db/client.ts";
import { createTask } from "../tasks/service.ts";
import { nextRuns } from "./cron.ts";
import type { CreateScheduleInput, UpdateScheduleInput } from "./schemas.ts";

async function findSchedule(tx: Tx | Db, orgId: string, scheduleId: string) {
  const schedule = await tx.schedule.findFirst({ where: { id: scheduleId, orgId } });
  if (!schedule) throw new DomainError("NOT_FOUND", "That schedule does not exist (any more).");
  return schedule;
}

const target = (s: { id: string; name: string }) => ({ type: "schedule", id: s.id, name: s.name });
const fields = (s: {
  cron: string;
  timezone: string;
  paused: boolean;
  missed: string;
  prompt: string;
}) => ({
  cron: s.cron,
  timezone: s.timezone,
  paused: s.paused,
  missed: s.missed,
  prompt: s.prompt.slice(0, 200),
});

export async function listSchedules(db: Db, orgId: string, agentId?: string) {
  const rows = await db.schedule.findMany({
    where: { orgId, ...(agentId && { agentId }) },
    orderBy: { createdAt: "asc" },
    include: { agent: { select: { name: true } } },
  });
  return rows.map(({ agent, ...s }) => ({
    ...s,
    agentName: agent.name,
    nextRuns: s.paused ? [] : (nextRuns(s.cron, s.timezone, 5) ?? []),
  }));
}

export async function createSchedule(
  db: Db,
  acting: Acting,
  orgId: string,
  input: CreateScheduleInput,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    if (!nextRuns(input.cron, input.timezone, 1))
      throw new DomainError(
        "BAD_REQUEST",
        "Not a cron expression this scheduler understands",
        "cron",
      );
    const agent = await tx.agent.findFirst({ where: { id: input.agentId, orgId } });
    if (!agent)
      throw new DomainError("NOT_FOUND", "That agent does not exist (any more).", "agentId");
    if (
      await tx.schedule.findUnique({
        where: { agentId_name: { agentId: agent.id, name: input.name } },
      })
    )
      throw new DomainError(
        "CONFLICT",
        `${agent.name} already has a schedule named ${input.name}.`,
        "name",
      );
    const schedule = await tx.schedule.create({
      data: {
        orgId,
        agentId: agent.id,
        name: input.name,
        cron: input.cron,
        timezone: input.timezone,
        prompt: input.prompt,
        missed: input.missed,
      },
    });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "schedule.created",
      target: target(schedule),
      request,
      metadata: { agent: { id: agent.id, name: agent.name }, ...fields(schedule) },
    });
    return schedule;
  });
}

/** Pause, resume, or change when and what it runs. */
export async function updateSchedule(
  db: Db,
  acting: Acting,
  orgId: string,
  input: UpdateScheduleInput,
  request: AuditRequest,
) {
  return db.$transaction(async (tx) => {
    const before = await findSchedule(tx, orgId, input.scheduleId);
    // Only the schedule's fields (the input also carries orgSlug); unset ones stay.
    const changes = {
      paused: input.paused,
      cron: input.cron,
      timezone: input.timezone,
      prompt: input.prompt,
      missed: input.missed,
    };
    const next = {
      ...before,
      ...Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)),
    };
    if (!nextRuns(next.cron, next.timezone, 1))
      throw new DomainError(
        "BAD_REQUEST",
        "Not a cron expression this scheduler understands",
        "cron",
      );
    const after = await tx.schedule.update({ where: { id: before.id }, data: changes });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "schedule.updated",
      target: target(before),
      request,
      metadata: { before: fields(before), after: fields(after) },
    });
    return after;
  });
}

export async function deleteSchedule(
  db: Db,
  acting: Acting,
  orgId: string,
  scheduleId: string,
  request: AuditRequest,
) {
  await db.$transaction(async (tx) => {
    const schedule = await findSchedule(tx, orgId, scheduleId);
    await tx.schedule.delete({ where: { id: schedule.id } });
    await recordAuditEvent(tx, {
      orgId,
      actor: acting.audit,
      action: "schedule.deleted",
      target: target(schedule),
      request,
      metadata: fields(schedule),
    });
  });
}

/** One run of the schedule: a task started by it (also "run now"). */
export async function fireSchedule(db: Db, scheduleId: string, request: AuditRequest = {}) {
  const schedule = await db.schedule.findUnique({ where: { id: scheduleId } });
  if (!schedule) return null;
  const task = await createTask(
    db,
    {
      audit: { type: "SYSTEM", id: schedule.id, name: `schedule ${schedule.name}` },
      scheduleId: schedule.id,
    },
    schedule.orgId,
    { agentId: schedule.agentId, prompt: schedule.prompt, inputs: [] },
    request,
  );
  await db.schedule.update({ where: { id: schedule.id }, data: { lastRunAt: new Date() } });
  return task;
}

export async function runScheduleNow(
  db: Db,
  orgId: string,
  scheduleId: string,
  request: AuditRequest,
) {
  const schedule = await findSchedule(db, orgId, scheduleId);
  return fireSchedule(db, schedule.id, request);
}
