// Entry point of the worker process (`npm run worker`). Fails fast, in one line, when its
// configuration is wrong or no engine answers; builds the local images if missing; then
// enrols (or reuses its credential) and runs the fleet agent until stopped.
import "../infra/host/check-node.mjs"; // first: one line and exit 1 on an unsupported Node.js
import { execFileSync } from "node:child_process";
import path from "node:path";
import type Docker from "dockerode";
import { describeError } from "../common/errors.ts";
import { createLogger, lineLogger } from "../common/logger.ts";
import { registerWorkerMetrics, serveMetrics } from "../common/metrics.ts";
import { ensureGuestImage } from "../infra/images/ensure-guest.ts";
import { type CorralImages, ensureImages, tagImageAliases } from "../infra/images/ensure-images.ts";
import { type WorkerConfig, workerConfig } from "./config.ts";
import { IsolationDriver } from "./drivers/by-isolation.ts";
import { EngineContainerDriver } from "./drivers/engine-container/index.ts";
import { addsAWall, privilegedRuntimeRefusal } from "./drivers/engine-container/runtime-policy.ts";
import { MicrovmDriver } from "./drivers/microvm/index.ts";
import { connectEngine, describeEngine } from "./engine/docker-engine.ts";
import { runFleetAgent } from "./fleet-agent.ts";
import { startGateway } from "./gateway/start.ts";

// Logs are pino's (common/logger.ts); a refusal to start stays one plain line on stderr.
const log = lineLogger(createLogger("corral-worker"));

function hasQemu(): boolean {
  try {
    execFileSync("qemu-system-x86_64", ["--version"], { stdio: "ignore" });
    execFileSync("qemu-img", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The microvm driver, when CORRAL_SANDBOX_DRIVER asks for one and this host can run it. */
async function microvmDriver(
  config: WorkerConfig,
  engine: Docker,
  images: CorralImages,
): Promise<MicrovmDriver | null> {
  const choice = config.CORRAL_SANDBOX_DRIVER;
  if (choice === "engine-container") return null;
  if (!hasQemu()) {
    if (choice === "auto") return null;
    throw new Error(
      `CORRAL_SANDBOX_DRIVER=${choice} needs qemu-system-x86_64 and qemu-img (Debian: qemu-system-x86 qemu-utils)`,
    );
  }
  const driver = new MicrovmDriver(engine, {
    stateDir: path.join(config.CORRAL_SANDBOX_DIR, "microvm"),
    guest: await ensureGuestImage(undefined, { log }),
    agentImageDefault: images.agentBase,
    hostKey: config.CORRAL_WORKER_NAME,
    allowedRegistries: config.CORRAL_SANDBOX_REGISTRIES,
    storageMb: config.CORRAL_SANDBOX_STORAGE_MB,
    log,
  });
  if (choice === "auto" && (await driver.accel()) !== "kvm") {
    log("auto: KVM does not work here (a microvm would run under TCG): containers only");
    return null;
  }
  return driver;
}

/** The engine-container driver, unless this host must not make privileged containers. */
function containerDriver(
  config: WorkerConfig,
  engine: Docker,
  images: CorralImages,
  runtimes: string[],
  hasMicrovms: boolean,
): EngineContainerDriver | null {
  if (config.CORRAL_SANDBOX_DRIVER === "microvm") return null;
  if (!runtimes.includes(config.CORRAL_SANDBOX_RUNTIME)) {
    throw new Error(
      `the engine has no "${config.CORRAL_SANDBOX_RUNTIME}" runtime for sandboxes: set CORRAL_SANDBOX_RUNTIME to one of ${runtimes.join(", ")}`,
    );
  }
  const refusal = privilegedRuntimeRefusal({
    runtime: config.CORRAL_SANDBOX_RUNTIME,
    production: config.NODE_ENV === "production",
    allowPrivilegedRunc: config.CORRAL_ALLOW_PRIVILEGED_RUNC,
  });
  if (refusal) {
    if (!hasMicrovms) throw new Error(`refusing to start: ${refusal}`);
    log(`containers refused: ${refusal}; this host offers microVMs only`);
    return null;
  }
  if (!addsAWall(config.CORRAL_SANDBOX_RUNTIME))
    log(
      `warning: sandboxes are privileged containers on plain ${config.CORRAL_SANDBOX_RUNTIME}: one escape is root on this host (sysbox-runc or microVMs add a wall)`,
    );
  return new EngineContainerDriver(engine, {
    runtime: config.CORRAL_SANDBOX_RUNTIME,
    stateDir: config.CORRAL_SANDBOX_DIR,
    sandboxImage: images.sandboxEngine,
    agentImageDefault: images.agentBase,
    // Sandboxes belong to this host: two workers on one engine never touch each other's.
    hostKey: config.CORRAL_WORKER_NAME,
    allowedRegistries: config.CORRAL_SANDBOX_REGISTRIES,
    storageMb: config.CORRAL_SANDBOX_STORAGE_MB,
  });
}

/**
 * The walls CORRAL_SANDBOX_DRIVER asks for, behind one driver that makes each sandbox in
 * the isolation the control plane placed it with (microVMs first where both exist).
 */
async function sandboxDriver(
  config: WorkerConfig,
  engine: Docker,
  images: CorralImages,
  runtimes: string[],
): Promise<IsolationDriver> {
  const microvm = await microvmDriver(config, engine, images);
  const container = containerDriver(config, engine, images, runtimes, microvm !== null);
  return new IsolationDriver({
    ...(microvm && { microvm }),
    ...(container && { container }),
    fallback: microvm ? "microvm" : "container",
  });
}

async function main() {
  const config = workerConfig();
  const engine = connectEngine(config.DOCKER_HOST);
  const info = await describeEngine(engine, config.DOCKER_HOST);
  log(
    `engine ${info.serverVersion} at ${config.DOCKER_HOST} (${info.cpus} CPUs, runtimes: ${info.runtimes.join(", ")})`,
  );
  const containersOnly = config.CORRAL_SANDBOX_DRIVER === "engine-container";
  if (containersOnly && !info.runtimes.includes(config.CORRAL_SANDBOX_RUNTIME)) {
    throw new Error(
      `the engine has no "${config.CORRAL_SANDBOX_RUNTIME}" runtime for sandboxes: set CORRAL_SANDBOX_RUNTIME to one of ${info.runtimes.join(", ")}`,
    );
  }
  const images = await ensureImages(engine, { log });
  await tagImageAliases(engine, images);
  const driver = await sandboxDriver(config, engine, images, info.runtimes);
  log(`sandboxes: ${driver.name} (isolation: ${driver.isolations.join(", ")})`);

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
