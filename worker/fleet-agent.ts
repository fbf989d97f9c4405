// The worker's main loop: describe the engine, report to the control plane, repeat.
// Later issues add reconcile (observe → diff → act → report) to each beat.
import type Docker from "dockerode";
import { describeError, UnreachableError } from "../server/core/errors.ts";
import type { WorkerConfig } from "./config.ts";
import { ControlPlaneClient } from "./control-plane/client.ts";
import { describeEngine } from "./engine/docker-engine.ts";

export const workerVersion = "0.1.0";

export interface FleetAgentOptions {
  config: WorkerConfig;
  engine: Docker;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** Runs until `signal` aborts; throws only for problems retrying cannot fix. */
export async function runFleetAgent({ config, engine, signal, log }: FleetAgentOptions) {
  const controlPlane = new ControlPlaneClient(
    config.CORRAL_CONTROL_PLANE_URL,
    config.CORRAL_WORKER_TOKEN,
  );
  let intervalSeconds = 5;
  let lastProblem: string | null = null;
  let registered = false;

  while (!signal.aborted) {
    try {
      const engineInfo = await describeEngine(engine, config.DOCKER_HOST);
      const reply = await controlPlane.heartbeat({
        name: config.CORRAL_WORKER_NAME,
        version: workerVersion,
        labels: config.CORRAL_WORKER_LABELS,
        engine: engineInfo,
      });
      intervalSeconds = reply.heartbeatSeconds;
      if (!registered || lastProblem) {
        log(
          `reporting to ${config.CORRAL_CONTROL_PLANE_URL} as ${config.CORRAL_WORKER_NAME} (host ${reply.hostId}, engine ${engineInfo.serverVersion})`,
        );
      }
      registered = true;
      lastProblem = null;
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      // Say it once per outage, not once per beat.
      const problem = describeError(error);
      if (problem !== lastProblem) log(`${problem}; retrying every ${intervalSeconds}s`);
      lastProblem = problem;
    }
    await sleep(intervalSeconds * 1000, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
