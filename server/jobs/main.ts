// Entry point of the job runner (`npm run jobs`): webhook delivery and audit retention.
// Fails fast, in one line, when its configuration is wrong.
import "../../infra/host/check-node.mjs"; // first: one line and exit 1 on an unsupported Node.js
import { describeError } from "../../common/errors.ts";
import { createLogger } from "../../common/logger.ts";
import { webConfig } from "../core/config.ts";
import { db } from "../db/client.ts";
import { schemaProblem } from "../db/pending-migrations.ts";
import { serveJobMetrics } from "./metrics.ts";
import { startJobRunner } from "./runner.ts";

// Logs are pino's (common/logger.ts); a refusal to start stays one plain line on stderr.
const logger = createLogger("corral-jobs");
const log = (line: string, level: "info" | "warn" = "info") =>
  logger[level](line.replace(/^jobs: /, ""));

async function main() {
  const config = webConfig();
  const problem = await schemaProblem(config.DATABASE_URL);
  if (problem) throw new Error(problem);
  const runner = await startJobRunner({
    db: db(),
    databaseUrl: config.DATABASE_URL,
    hostDeadlineSeconds: config.CORRAL_WORKER_DEADLINE_SECONDS,
    log,
  });
  const metricsPort = process.env.CORRAL_JOBS_METRICS_PORT;
  const metrics = metricsPort
    ? await serveJobMetrics(runner, Number(metricsPort), process.env.CORRAL_METRICS_HOST)
    : null;
  // Listen for the stop signal before saying it runs: whoever reads that line may stop it.
  const stopped = new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  log(
    "running: webhook delivery, audit retention (hourly), fleet controller, schedules, task sweep",
  );
  await stopped;
  log("stopping");
  metrics?.close();
  await runner.stop();
  await db().$disconnect();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`corral-jobs: ${describeError(error)}`);
    process.exit(1);
  },
);
