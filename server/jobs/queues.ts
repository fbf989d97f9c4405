// The control plane's background jobs, on pg-boss (PostgreSQL-backed: no other broker).
import { PgBoss } from "pg-boss";

export const queues = {
  /** Deliver one webhook's pending audit events. One queued or running job per webhook. */
  webhookDelivery: "audit-webhook-delivery",
  /** Purge audit events past each organisation's retention window. */
  auditRetention: "audit-retention",
} as const;

export function createBoss(url: string): PgBoss {
  // Schedules are checked every 5 s (pg-boss's default is 30), so a run starts close to its minute.
  return new PgBoss({
    connectionString: url,
    max: 4,
    cronMonitorIntervalSeconds: 5,
    cronWorkerIntervalSeconds: 5,
  });
}

/** `retryDelaySeconds` is the first retry's delay; each later one doubles (up to 10 min). */
export async function createQueues(boss: PgBoss, retryDelaySeconds = 5) {
  await boss.createQueue(queues.webhookDelivery, {
    policy: "exclusive",
    retryLimit: 10,
    retryDelay: retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: 600,
    expireInSeconds: 300,
  });
  await boss.createQueue(queues.auditRetention, {
    policy: "exclusive",
    retryLimit: 3,
    retryDelay: 60,
    expireInSeconds: 3600,
  });
}
