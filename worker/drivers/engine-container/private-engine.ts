// Reaching a tenant's private engine through the socket its sandbox container exposes on the
// host, and waiting for it to answer.
import { existsSync } from "node:fs";
import Docker from "dockerode";
import { describeError } from "../../../common/errors.ts";
import { lastLogLines } from "./sandbox-container.ts";

const pollMs = 50;

/** dockerode's ping accepts an abort signal; its types do not say so. */
type PingWithSignal = (options: { abortSignal: AbortSignal }) => Promise<unknown>;

/** One dockerode client per socket path, reused across calls. */
export class PrivateEngines {
  readonly #clients = new Map<string, Docker>();

  forSocket(socketPath: string): Docker {
    let client = this.#clients.get(socketPath);
    if (!client) {
      client = new Docker({ socketPath });
      this.#clients.set(socketPath, client);
    }
    return client;
  }

  forget(socketPath: string): void {
    this.#clients.delete(socketPath);
  }
}

/** Does the engine at this socket answer right now? The reason when it does not. */
export async function pingEngine(engine: Docker, socketPath: string): Promise<string | null> {
  if (!existsSync(socketPath)) return `no engine socket at ${socketPath}`;
  try {
    const ping = engine.ping as unknown as PingWithSignal;
    await ping.call(engine, { abortSignal: AbortSignal.timeout(2000) });
    return null;
  } catch (error) {
    return `engine does not answer: ${describeError(error)}`;
  }
}

export class EngineNotReadyError extends Error {
  override name = "EngineNotReadyError";
}

/** Waits until the sandbox's engine answers; fails early when its container stops running. */
export async function waitForEngine(
  engine: Docker,
  socketPath: string,
  sandbox: Docker.Container,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let polls = 0;
  let reason: string | null = "not asked yet";
  while (Date.now() < deadline) {
    reason = await pingEngine(engine, socketPath);
    if (reason === null) return;
    // Now and then, check the container still runs: no point waiting for a dead engine.
    if (++polls % 20 === 0) {
      const state = (await sandbox.inspect()).State;
      if (!state.Running && !state.Restarting) {
        throw new EngineNotReadyError(
          `sandbox container stopped (exit ${state.ExitCode}): ${await lastLogLines(sandbox)}`,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new EngineNotReadyError(
    `sandbox engine did not answer within ${timeoutMs} ms (${reason}); last logs: ${await lastLogLines(sandbox)}`,
  );
}
