// The control plane of the fleet-scale benchmark, in its own process so its CPU is its own:
// the worker API's production handlers (server/fleet/worker-api.ts) on a bare HTTP server
// (test/worker-api-server.ts; Next's routing layer is not in the path) and the job runner
// with the fleet controller. Settings come from the environment the benchmark gives it;
// prints {"url": …} once it serves, and stops cleanly on SIGTERM.
import { describeError } from "../common/errors.ts";
import { webConfig } from "../server/core/config.ts";
import { db } from "../server/db/client.ts";
import { startJobRunner } from "../server/jobs/runner.ts";
import { startWorkerApiServer } from "../test/worker-api-server.ts";

const config = webConfig();
const api = await startWorkerApiServer();
const jobs = await startJobRunner({
  db: db(),
  databaseUrl: config.DATABASE_URL,
  hostDeadlineSeconds: config.CORRAL_WORKER_DEADLINE_SECONDS,
  fleetIntervalMs: Number(process.env.BENCH_FLEET_CONTROLLER_MS ?? 5000),
  // Moves are counted from the database; one line per move would flood the benchmark.
  log: (line) => {
    if (!line.startsWith("jobs: sandbox of") && !line.includes("stopped heartbeating"))
      console.error(line);
  },
});
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);

let stopping = false;
process.on("SIGTERM", () => {
  if (stopping) return;
  stopping = true;
  Promise.all([jobs.stop(), api.stop()])
    .then(() => db().$disconnect())
    .catch((error) => console.error(`control plane: ${describeError(error)}`))
    .finally(() => process.exit(0));
});
