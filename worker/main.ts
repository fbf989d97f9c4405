// Entry point of the worker process (`npm run worker`). Fails fast, in one line, when its
// configuration is wrong or no engine answers; otherwise reports until stopped.
import { describeError } from "../server/core/errors.ts";
import { workerConfig } from "./config.ts";
import { connectEngine, describeEngine } from "./engine/docker-engine.ts";
import { runFleetAgent } from "./fleet-agent.ts";

const log = (line: string) => console.log(`corral-worker: ${line}`);

async function main() {
  const config = workerConfig();
  const engine = connectEngine(config.DOCKER_HOST);
  const info = await describeEngine(engine, config.DOCKER_HOST);
  log(
    `engine ${info.serverVersion} at ${config.DOCKER_HOST} (${info.cpus} CPUs, runtimes: ${info.runtimes.join(", ")})`,
  );

  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      stop.abort();
    });
  }
  await runFleetAgent({ config, engine, signal: stop.signal, log });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`corral-worker: ${describeError(error)}`);
    process.exit(1);
  },
);
