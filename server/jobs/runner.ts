// The job runner: pg-boss workers for webhook delivery and audit retention, the retention
// schedule, and a sweep that queues a delivery for every webhook with events waiting.
// Delivery jobs are exclusive per webhook, so the sweep cannot pile them up, and a webhook
// whose endpoint is failing waits out its backoff instead of being hammered.
import type { PgBoss } from "pg-boss";
import { describeError } from "../../common/errors.ts";
import { purgeAllExpiredEvents } from "../audit/retention.ts";
import { deliverWebhook, webhooksBehind } from "../audit/webhooks/deliver.ts";
import type { Db } from "../db/client.ts";
import { reconcileFleet } from "../fleet/controller.ts";
import { fireSchedule } from "../schedules/service.ts";
import { scheduleQueue, syncSchedules } from "../schedules/sync.ts";
import { sweepTasks } from "../tasks/lifecycle.ts";
import { createBoss, createQueues, queues } from "./queues.ts";

export interface JobRunnerOptions {
  db: Db;
  databaseUrl: string;
  /** How often to look for webhooks with events waiting. */
  sweepMs?: number;
  /** Hosts silent for longer are lost and their sandboxes re-placed; 0 turns the controller off. */
  hostDeadlineSeconds?: number;
  /** How often the fleet controller runs (default 5 s). */
  fleetIntervalMs?: number;
  /** First delay before retrying a failed delivery (doubling after); default 5 s. */
  retryDelaySeconds?: number;
  /** How often to sync schedules and end overdue tasks (default 2 s). */
  taskSweepMs?: number;
  /** Cron for the retention purge (default: hourly). */
  retentionCron?: string;
  /** Where the runner says what it did; failures come as "warn". */
  log?: (line: string, level?: "info" | "warn") => void;
}

export interface JobRunner {
  boss: PgBoss;
  sweep: () => Promise<number>;
  stop: () => Promise<void>;
}

export async function startJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const { db } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const boss = createBoss(options.databaseUrl);
  boss.on("error", (error) => log(`jobs: ${describeError(error)}`, "warn"));
  await boss.start();
  await createQueues(boss, options.retryDelaySeconds);

  await boss.work<{ webhookId: string }>(
    queues.webhookDelivery,
    { batchSize: 1, pollingIntervalSeconds: 0.5, localConcurrency: 4 },
    async ([job]) => {
      if (!job) return;
      const run = await deliverWebhook(db, job.data.webhookId, job.retryCount + 1);
      // A busy webhook hands over after a while; the next sweep picks the rest up.
      return run;
    },
  );
  await boss.work(queues.auditRetention, { batchSize: 1 }, async () => {
    const results = await purgeAllExpiredEvents(db);
    const purged = results.reduce((n, r) => n + r.purged, 0);
    if (purged > 0) log(`jobs: retention purged ${purged} audit events`);
    return { purged };
  });
  await boss.schedule(queues.auditRetention, options.retentionCron ?? "17 * * * *");

  // Schedules: pg-boss fires each one's cron into this queue; a run is a task.
  await boss.createQueue(scheduleQueue, { retryLimit: 2, retryDelay: 5, expireInSeconds: 60 });
  await boss.work<{ scheduleId: string }>(
    scheduleQueue,
    { batchSize: 1, pollingIntervalSeconds: 1 },
    async ([job]) => {
      if (!job) return;
      const task = await fireSchedule(db, job.data.scheduleId);
      return { taskId: task?.id ?? null };
    },
  );
  let tasking: Promise<unknown> = Promise.resolve();
  const taskTimer = setInterval(() => {
    tasking = Promise.all([
      syncSchedules(boss, db),
      // Timeouts, unconfirmed cancels, tasks for agents that fail them while stopped.
      sweepTasks(db),
    ]).catch((error) => log(`jobs: task sweep failed: ${describeError(error)}`, "warn"));
  }, options.taskSweepMs ?? 2000);

  const sweep = async () => {
    const ids = await webhooksBehind(db);
    for (const id of ids)
      await boss.send(queues.webhookDelivery, { webhookId: id }, { singletonKey: id });
    return ids.length;
  };
  let sweeping: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    sweeping = sweep().catch((error) =>
      log(`jobs: webhook sweep failed: ${describeError(error)}`, "warn"),
    );
  }, options.sweepMs ?? 2000);

  // The fleet controller: lost hosts, draining hosts and waiting sandboxes, every few seconds.
  const deadlineSeconds = options.hostDeadlineSeconds ?? 0;
  let controlling: Promise<unknown> = Promise.resolve();
  const fleetTimer = deadlineSeconds
    ? setInterval(() => {
        controlling = reconcileFleet(db, { deadlineSeconds })
          .then(({ lost, moves }) => {
            for (const name of lost) log(`jobs: host ${name} stopped heartbeating; marked lost`);
            for (const m of moves)
              log(
                `jobs: sandbox of ${m.orgId} ${m.to ? `placed on ${m.to}` : "waiting for a host"} (${m.reason})`,
              );
          })
          .catch((error) => log(`jobs: fleet controller failed: ${describeError(error)}`, "warn"));
      }, options.fleetIntervalMs ?? 5000)
    : undefined;

  return {
    boss,
    sweep,
    stop: async () => {
      clearInterval(timer);
      clearInterval(fleetTimer);
      clearInterval(taskTimer);
      await tasking;
      await controlling;
      await sweeping;
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
