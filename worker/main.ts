// Entry point of the worker process (`npm run worker`). Fails fast, in one line, when its
// configuration is wrong or no engine answers; builds the local images if missing; then
// enrols (or reuses its credential) and runs the fleet agent until stopped.
import "../infra/host/check-node.mjs"; // first: one line and exit 1 on an unsupported Node.js
import { describeError } from "../common/errors.ts";
import { registerWorkerMetrics, serveMetrics } from "../common/metrics.ts";
import { ensureImages } from "../infra/images/ensure-images.ts";
import { workerConfig } from "./config.ts";
import { EngineContainerDriver } from "./drivers/engine-container/index.ts";
import { connectEngine, describeEngine } from "./engine/docker-engine.ts";
import { runFleetAgent } from "./fleet-agent.ts";
import { startGateway } from "./gateway/start.ts";

const log = (line: string) => console.log(`corral-worker: ${line}`);

/** What agents get when they ask for the default image (see server/agents/schemas.ts). */
const agentBaseAlias = { repo: "corral/agent-base", tag: "latest" };
/** The default agent runtime (a model tool-use loop speaking the task contract). */
const agentRuntimeAlias = { repo: "corral/agent-runtime", tag: "latest" };
/** Claude Code behind a thin adapter to the task contract. */
const claudeCodeAlias = { repo: "corral/claude-code", tag: "latest" };

async function main() {
  const config = workerConfig();
  const engine = connectEngine(config.DOCKER_HOST);
  const info = await describeEngine(engine, config.DOCKER_HOST);
  log(
    `engine ${info.serverVersion} at ${config.DOCKER_HOST} (${info.cpus} CPUs, runtimes: ${info.runtimes.join(", ")})`,
  );
  if (!info.runtimes.includes(config.CORRAL_SANDBOX_RUNTIME)) {
    throw new Error(
      `the engine has no "${config.CORRAL_SANDBOX_RUNTIME}" runtime for sandboxes: set CORRAL_SANDBOX_RUNTIME to one of ${info.runtimes.join(", ")}`,
    );
  }
  const images = await ensureImages(engine, { log });
  await engine.getImage(images.agentBase).tag(agentBaseAlias);
  await engine.getImage(images.agentRuntime).tag(agentRuntimeAlias);
  await engine.getImage(images.claudeCode).tag(claudeCodeAlias);
  const driver = new EngineContainerDriver(engine, {
    runtime: config.CORRAL_SANDBOX_RUNTIME,
    stateDir: config.CORRAL_SANDBOX_DIR,
    sandboxImage: images.sandboxEngine,
    agentImageDefault: images.agentBase,
    // Sandboxes belong to this host: two workers on one engine never touch each other's.
    hostKey: config.CORRAL_WORKER_NAME,
    allowedRegistries: config.CORRAL_SANDBOX_REGISTRIES,
    storageMb: config.CORRAL_SANDBOX_STORAGE_MB,
  });

  const gateway = await startGateway(config, log);
  registerWorkerMetrics();
  const metrics = config.CORRAL_WORKER_METRICS_PORT
    ? await serveMetrics(config.CORRAL_WORKER_METRICS_PORT, config.CORRAL_METRICS_HOST)
    : null;

  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      stop.abort();
    });
  }
  await runFleetAgent({
    config,
    driver,
    gateway,
    describeEngine: () => describeEngine(engine, config.DOCKER_HOST),
    signal: stop.signal,
    log,
  });
  metrics?.close();
  await gateway.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`corral-worker: ${describeError(error)}`);
    process.exit(1);
  },
);
