// Tasks under the stopwatch, on loopback only, against a throwaway database, in one run:
//   dispatch     tasks.create (the tRPC caller, as the API calls it) until the agent waiting
//                on POST /tasks/v1/next at its gateway has the task: the create's write and
//                NOTIFY, the control plane's long-poll waking and claiming, the relay back;
//                against the same agent's /next that needs no wait (waitSeconds 0, 204).
//                Also with the task queued while the agent is still asking (the race);
//   events       an agent's POST /tasks/v1/tasks/<id>/events until a tasks.watch subscriber
//                has the event; against that post's own round trip. Also back to back, as a
//                runtime streams a transcript;
//   50 agents    50 agents long-polling, given 1 task each at once, then 200 tasks (4 each) at
//                once: until all are received, each one's dispatch, until all have
//                SUCCEEDED, errors; and what the database backends were waiting on meanwhile.
// Everything is the real thing except the agents' processes: the control plane's worker API
// on a bare HTTP server with the real database and its notifications, a host enrolled the
// real way, the worker's ControlPlaneClient with that host's credential, and an EgressGateway
// in its own process relaying through that client (bench/tasks-gateway-child.ts). The agent
// runtimes are simulated: clients doing what a runtime does over its tenant's gateway socket.
// This file only makes and drops the database and keeps time; the run is bench/tasks-child.ts,
// in a process of its own, since the control plane reads its settings from the environment
// once per process (other benchmarks in `npm run bench` set them first).
// Sizes: BENCH_TASKS_DISPATCH (default 200), BENCH_TASKS_RACE (40), BENCH_TASKS_EVENTS (200),
// BENCH_TASKS_STREAM (100), BENCH_TASKS_AGENTS (50), BENCH_TASKS_BURST (200 tasks).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../server/db/database.ts";
import { testServerUrl, uniqueDatabaseName } from "../test/database-server.ts";

const limitSeconds = 120;
const here = path.dirname(fileURLToPath(import.meta.url));
const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_bench_tasks"));
const started = performance.now();
await ensureDatabase(url);
const dir = mkdtempSync(path.join(os.tmpdir(), "corral-bench-tasks-"));
try {
  await migrateDatabase(url);
  const setupMs = performance.now() - started;
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      path.join(here, "tasks-preload.ts"),
      path.join(here, "tasks-child.ts"),
      String(Math.round(setupMs)),
      dir,
    ],
    {
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        DATABASE_URL: url,
        AUTH_SECRET: randomBytes(32).toString("base64url"),
        CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
      },
    },
  );
  // A bench must end by itself: if the run hangs, stop it (its gateway child goes with it,
  // since that one ends when its stdin does) and say so.
  const watchdog = setTimeout(() => {
    console.error(`tasks bench: still running after ${limitSeconds} s; stopping`);
    child.kill("SIGKILL");
  }, limitSeconds * 1000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(watchdog);
  console.log(
    `  the whole tasks bench took ${((performance.now() - started) / 1000).toFixed(1)} s (it stops itself at ${limitSeconds} s)`,
  );
  if (code !== 0) process.exitCode = 1;
} finally {
  await dropDatabase(url);
  rmSync(dir, { recursive: true, force: true });
}
