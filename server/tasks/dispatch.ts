// The control plane's side of the task contract, for workers relaying their agents: hand an
// agent its next task (waiting for one when there is none), store what it sends back, and
// tell it when its task is cancelled. A host may speak only for agents whose sandbox it holds.

import type { TaskEventParsed, TaskForAgent } from "../../common/task-contract.ts";
import { type AuditEventInput, appendAuditEvents } from "../audit/record.ts";
import { channels, listenFor } from "../core/notify.ts";
import type { Db, Tx } from "../db/client.ts";
import type { TaskStatus } from "../db/generated/enums.ts";
import { costOf } from "./prices.ts";

export class TaskRelayError extends Error {
  constructor(
    readonly status: 403 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

const finished: TaskStatus[] = ["SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"];
export const isFinished = (status: TaskStatus) => finished.includes(status);

/** The agent, if the host holds its sandbox and it may take work (not quarantined). */
async function agentOnHost(tx: Tx | Db, hostId: string, agentId: string) {
  const agent = await tx.agent.findFirst({
    where: { id: agentId, org: { sandbox: { hostId }, deletedAt: null } },
  });
  if (!agent) throw new TaskRelayError(404, "no such agent on this host");
  return agent;
}

export const agentActor = (a: { id: string; name: string }) => ({
  type: "AGENT" as const,
  id: a.id,
  name: a.name,
});

/** Notifies waiters of an agent's queue and of a task's transcript, on commit. */
export async function notifyTask(tx: Tx, agentId: string, taskId?: string) {
  if (taskId)
    await tx.$executeRaw`SELECT pg_notify(${channels.tasks}, ${agentId}), pg_notify(${channels.taskEvents}, ${taskId})`;
  else await tx.$executeRaw`SELECT pg_notify(${channels.tasks}, ${agentId})`;
}

/** Prisma's "could not start a transaction in time": the pool is busy; worth a retry. */
const busy = (error: unknown) => (error as { code?: string })?.code === "P2028";

/**
 * One attempt to claim the agent's next task, FIFO within its concurrency. Tasks still
 * running under another runtime process of this agent are failed first: that process died.
 */
async function claimOnce(
  db: Db,
  host: { id: string },
  request: { agentId: string; generation: number; runId: string },
  maxWaitMs: number,
): Promise<TaskForAgent | null> {
  return db.$transaction(
    async (tx) => {
      const agent = await agentOnHost(tx, host.id, request.agentId);
      if (agent.quarantinedAt) throw new TaskRelayError(403, "the agent is quarantined");
      // The agent's tasks are claimed one claimer at a time (FIFO, concurrency).
      await tx.$queryRaw`SELECT id FROM "Agent" WHERE id = ${agent.id} FOR UPDATE`;
      const orphans = await tx.task.findMany({
        where: { agentId: agent.id, status: "RUNNING", runId: { not: request.runId } },
      });
      const events: AuditEventInput[] = [];
      for (const task of orphans) {
        await tx.task.update({
          where: { id: task.id },
          data: {
            status: "FAILED",
            finishedAt: new Date(),
            reason: "the agent's process was replaced mid-task (it crashed or was restarted)",
          },
        });
        await notifyTask(tx, agent.id, task.id);
        events.push(
          taskAudit(agent, task.id, "task.failed", "FAILURE", {
            reason: "agent restarted mid-task",
          }),
        );
      }
      const running = await tx.task.count({ where: { agentId: agent.id, status: "RUNNING" } });
      if (running >= agent.taskConcurrency) {
        await appendAuditEvents(tx, events);
        return null;
      }
      const [next] = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Task" WHERE "agentId" = ${agent.id} AND status = 'QUEUED'
      ORDER BY "createdAt", id LIMIT 1 FOR UPDATE SKIP LOCKED`;
      if (!next) {
        await appendAuditEvents(tx, events);
        return null;
      }
      const task = await tx.task.update({
        where: { id: next.id },
        data: { status: "RUNNING", startedAt: new Date(), runId: request.runId },
        include: { inputs: true },
      });
      await notifyTask(tx, agent.id, task.id);
      events.push(taskAudit(agent, task.id, "task.started", "SUCCESS", { runId: request.runId }));
      await appendAuditEvents(tx, events);
      return {
        id: task.id,
        prompt: task.prompt,
        instructions: agent.instructions,
        inputs: task.inputs.map((i) => ({
          name: i.name,
          contentBase64: Buffer.from(i.content).toString("base64"),
        })),
        timeoutSeconds: task.timeoutSeconds,
        model: task.model,
      };
    },
    { maxWait: maxWaitMs },
  );
}

/** The agent's next task, waiting up to `waitSeconds` for one to be queued. */
export async function claimNextTask(
  db: Db,
  host: { id: string },
  request: { agentId: string; generation: number; runId: string; waitSeconds: number },
  signal?: AbortSignal,
): Promise<TaskForAgent | null> {
  const deadline = Date.now() + request.waitSeconds * 1000;
  // Listening before the first look: a task queued in between still wakes this request.
  const queue = await listenFor(channels.tasks, request.agentId);
  try {
    for (;;) {
      let task: TaskForAgent | null = null;
      try {
        task = await claimOnce(db, host, request, Math.max(2000, deadline - Date.now()));
      } catch (error) {
        // A busy pool is not the agent's problem: look again until the long-poll ends.
        if (!busy(error)) throw error;
      }
      if (task || Date.now() >= deadline || signal?.aborted) return task;
      await queue.wait(Math.min(5000, deadline - Date.now()), signal);
      // The agent hung up while waiting: claim nothing it would never receive.
      if (signal?.aborted) return null;
    }
  } finally {
    queue.close();
  }
}

function taskAudit(
  agent: { id: string; name: string; orgId: string },
  taskId: string,
  action: "task.started" | "task.succeeded" | "task.failed" | "task.cancelled" | "task.timed_out",
  outcome: "SUCCESS" | "FAILURE",
  metadata: Record<string, string | number | boolean> = {},
): AuditEventInput {
  return {
    orgId: agent.orgId,
    actor: agentActor(agent),
    action,
    outcome,
    target: { type: "task", id: taskId },
    metadata,
  };
}

/**
 * Stores a batch of the agent's events (seqs it already has are skipped, so retries never
 * duplicate), adds up usage, and settles the task on a final event. Answers whether the
 * task was cancelled, so the agent learns it with its next post.
 */
export async function appendTaskEvents(
  db: Db,
  host: { id: string },
  request: { agentId: string; taskId: string; events: TaskEventParsed[] },
): Promise<{ cancel: boolean }> {
  const changed = await db.$transaction(async (tx) => {
    const agent = await agentOnHost(tx, host.id, request.agentId);
    await tx.$queryRaw`SELECT id FROM "Task" WHERE id = ${request.taskId} FOR UPDATE`;
    const task = await tx.task.findFirst({ where: { id: request.taskId, agentId: agent.id } });
    if (!task) throw new TaskRelayError(404, "no such task for this agent");
    if (task.status !== "RUNNING")
      throw new TaskRelayError(409, `the task is ${task.status.toLowerCase().replace("_", " ")}`);
    const fresh = request.events.filter((e) => e.seq > task.lastSeq).sort((a, b) => a.seq - b.seq);
    if (fresh.length === 0) return { cancel: task.cancelRequestedAt !== null };
    const now = new Date();
    await tx.taskEvent.createMany({
      data: fresh.map(({ seq, type, at, ...data }) => ({
        taskId: task.id,
        seq,
        type,
        data: data as object,
        at: at ? new Date(at) : now,
      })),
      skipDuplicates: true,
    });
    let { inputTokens, outputTokens, costUsd, model } = task;
    for (const e of fresh) {
      if (e.type !== "usage") continue;
      inputTokens += e.inputTokens;
      outputTokens += e.outputTokens;
      costUsd += await costOf(tx, agent.orgId, e.model, e.inputTokens, e.outputTokens);
      model = e.model;
    }
    const final = fresh.find((e) => e.type === "result" || e.type === "error");
    const settle = final ? settlement(task, final) : null;
    await tx.task.update({
      where: { id: task.id },
      data: {
        lastSeq: Math.max(task.lastSeq, ...fresh.map((e) => e.seq)),
        inputTokens,
        outputTokens,
        costUsd,
        model,
        ...(settle && {
          status: settle.status,
          reason: settle.reason,
          result: settle.result,
          finishedAt: now,
        }),
      },
    });
    if (settle)
      await appendAuditEvents(tx, [
        taskAudit(
          agent,
          task.id,
          settle.action,
          settle.status === "SUCCEEDED" ? "SUCCESS" : "FAILURE",
          {
            inputTokens,
            outputTokens,
            costUsd: Math.round(costUsd * 1e6) / 1e6,
            ...(settle.reason && { reason: settle.reason }),
          },
        ),
      ]);
    await notifyTask(tx, agent.id, task.id);
    return { cancel: task.cancelRequestedAt !== null };
  });
  return changed;
}

function settlement(
  task: { cancelRequestedAt: Date | null },
  final: TaskEventParsed,
): {
  status: TaskStatus;
  action: "task.succeeded" | "task.failed" | "task.cancelled";
  reason: string | null;
  result: string | null;
} {
  if (final.type === "result")
    return { status: "SUCCEEDED", action: "task.succeeded", reason: null, result: final.text };
  if (final.type === "error" && (final.cancelled || task.cancelRequestedAt))
    return {
      status: "CANCELLED",
      action: "task.cancelled",
      reason: final.message || "cancelled",
      result: null,
    };
  const message = final.type === "error" ? final.message : "failed";
  return { status: "FAILED", action: "task.failed", reason: message, result: null };
}

/** Whether the agent's task was cancelled: at once if so, else when it is, or after `waitSeconds`. */
export async function taskControl(
  db: Db,
  host: { id: string },
  request: { agentId: string; taskId: string; waitSeconds: number },
  signal?: AbortSignal,
): Promise<{ cancel: boolean }> {
  const deadline = Date.now() + request.waitSeconds * 1000;
  const changes = await listenFor(channels.taskEvents, request.taskId);
  try {
    for (;;) {
      const agent = await agentOnHost(db, host.id, request.agentId);
      const task = await db.task.findFirst({
        where: { id: request.taskId, agentId: agent.id },
        select: { status: true, cancelRequestedAt: true },
      });
      if (!task) throw new TaskRelayError(404, "no such task for this agent");
      const cancel = task.cancelRequestedAt !== null || isFinished(task.status);
      if (cancel || Date.now() >= deadline || signal?.aborted) return { cancel };
      await changes.wait(Math.min(5000, deadline - Date.now()), signal);
    }
  } finally {
    changes.close();
  }
}
