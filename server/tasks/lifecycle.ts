// Tasks that end without their agent saying so: past their timeout, cancelled but never
// confirmed, given to an agent that fails tasks while stopped, or whose agent stopped or
// crashed under them. Run by the job runner's sweep and by workers' state reports.
import { type AuditEventInput, appendAuditEvents } from "../audit/record.ts";
import type { Db, Tx } from "../db/client.ts";
import type { TaskStatus } from "../db/generated/enums.ts";
import { agentActor, notifyTask } from "./dispatch.ts";

/** How long a running task may take to confirm a cancel before it is marked cancelled. */
export const cancelGraceSeconds = 15;

interface Ending {
  task: { id: string; agentId: string; orgId: string };
  agent: { id: string; name: string };
  status: TaskStatus;
  reason: string;
}

async function end(tx: Tx, endings: Ending[]): Promise<void> {
  const events: AuditEventInput[] = [];
  for (const { task, agent, status, reason } of endings) {
    // Only if still unfinished: an agent's final event may have landed meanwhile.
    const done = await tx.task.updateMany({
      where: { id: task.id, status: { in: ["QUEUED", "RUNNING"] } },
      data: { status, reason, finishedAt: new Date() },
    });
    if (done.count === 0) continue;
    await notifyTask(tx, task.agentId, task.id);
    events.push({
      orgId: task.orgId,
      actor: status === "TIMED_OUT" ? { type: "SYSTEM", name: "task timeout" } : agentActor(agent),
      action:
        status === "TIMED_OUT"
          ? "task.timed_out"
          : status === "CANCELLED"
            ? "task.cancelled"
            : "task.failed",
      outcome: "FAILURE",
      target: { type: "task", id: task.id },
      metadata: { reason },
    });
  }
  await appendAuditEvents(tx, events);
}

/** One pass of the job runner's task sweep. */
export async function sweepTasks(db: Db): Promise<number> {
  const now = Date.now();
  const running = await db.task.findMany({
    where: { status: "RUNNING" },
    select: {
      id: true,
      agentId: true,
      orgId: true,
      startedAt: true,
      timeoutSeconds: true,
      cancelRequestedAt: true,
      agent: { select: { id: true, name: true } },
    },
  });
  const endings: Ending[] = [];
  for (const task of running) {
    const started = task.startedAt?.getTime() ?? now;
    if (started + task.timeoutSeconds * 1000 < now)
      endings.push({
        task,
        agent: task.agent,
        status: "TIMED_OUT",
        reason: `ran longer than its ${task.timeoutSeconds} s timeout`,
      });
    else if (
      task.cancelRequestedAt &&
      task.cancelRequestedAt.getTime() + cancelGraceSeconds * 1000 < now
    )
      endings.push({
        task,
        agent: task.agent,
        status: "CANCELLED",
        reason: `cancelled; the agent did not confirm within ${cancelGraceSeconds} s`,
      });
  }
  const waitingOnStopped = await db.task.findMany({
    where: {
      status: "QUEUED",
      agent: {
        whenStopped: "FAIL",
        OR: [{ desiredState: "STOPPED" }, { quarantinedAt: { not: null } }],
      },
    },
    select: { id: true, agentId: true, orgId: true, agent: { select: { id: true, name: true } } },
  });
  for (const task of waitingOnStopped)
    endings.push({
      task,
      agent: task.agent,
      status: "FAILED",
      reason: `${task.agent.name} was stopped before it took the task`,
    });
  if (endings.length > 0) await db.$transaction((tx) => end(tx, endings));
  return endings.length;
}

/** The agent's process ended (stopped, crashed, restarted): its running tasks fail with why. */
export async function failRunningTasks(
  tx: Tx,
  agent: { id: string; name: string; orgId: string },
  reason: string,
) {
  const running = await tx.task.findMany({
    where: { agentId: agent.id, status: "RUNNING" },
    select: { id: true, agentId: true, orgId: true },
  });
  await end(
    tx,
    running.map((task) => ({ task, agent, status: "FAILED" as const, reason })),
  );
}
