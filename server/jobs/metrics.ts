// The job runner's metrics: how deep each pg-boss queue is, read when Prometheus scrapes.
import { scrapedGauge, serveMetrics } from "../../common/metrics.ts";
import type { JobRunner } from "./runner.ts";

export async function serveJobMetrics(runner: JobRunner, port: number, host = "127.0.0.1") {
  scrapedGauge(
    "corral_job_queue_depth",
    "Jobs waiting in each queue (queued, including deferred), and running.",
    ["queue", "state"],
    async () =>
      (await runner.boss.getQueues()).flatMap((q) => [
        { labels: { queue: q.name, state: "queued" }, value: q.queuedCount },
        { labels: { queue: q.name, state: "active" }, value: q.activeCount },
      ]),
  );
  return serveMetrics(port, host);
}
