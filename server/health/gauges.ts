// Counts Prometheus reads from the database when it scrapes the web process: agents by
// observed state, tasks by status, live workers. Fleet-wide, so read at system scope.
import { scrapedGauge } from "../../common/metrics.ts";
import type { Db } from "../db/client.ts";

export function registerControlPlaneGauges(db: Db, deadlineSeconds: number) {
  scrapedGauge("corral_agents", "Agents, by the state their host last saw.", ["state"], async () =>
    (await db.agent.groupBy({ by: ["observedState"], _count: { _all: true } })).map((g) => ({
      labels: { state: g.observedState.toLowerCase() },
      value: g._count._all,
    })),
  );
  scrapedGauge("corral_tasks", "Tasks, by status.", ["status"], async () =>
    (await db.task.groupBy({ by: ["status"], _count: { _all: true } })).map((g) => ({
      labels: { status: g.status.toLowerCase() },
      value: g._count._all,
    })),
  );
  scrapedGauge(
    "corral_workers_live",
    "Worker hosts heartbeating within the deadline.",
    [],
    async () => [
      {
        labels: {},
        value: await db.workerHost.count({
          where: {
            revokedAt: null,
            lastHeartbeatAt: { gt: new Date(Date.now() - deadlineSeconds * 1000) },
          },
        }),
      },
    ],
  );
}
