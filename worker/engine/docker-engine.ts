// The host's container engine, reached through dockerode. Sandbox drivers (worker/drivers/)
// build on this connection; here we only connect and describe the engine.
import Docker from "dockerode";
import { ConfigError, describeError, UnreachableError } from "../../common/errors.ts";
import type { EngineInfo } from "../../common/worker-protocol.ts";

/** A dockerode client for a DOCKER_HOST-style address (unix:///path or tcp://host:port). */
export function connectEngine(dockerHost: string): Docker {
  const url = URL.canParse(dockerHost) ? new URL(dockerHost) : null;
  if (url?.protocol === "unix:") return new Docker({ socketPath: url.pathname });
  if (url?.protocol === "tcp:" || url?.protocol === "http:") {
    return new Docker({ protocol: "http", host: url.hostname, port: Number(url.port || 2375) });
  }
  throw new ConfigError(`DOCKER_HOST "${dockerHost}" is not unix:///path or tcp://host:port`);
}

/** Asks the engine who it is; a clear UnreachableError when nothing answers. */
export async function describeEngine(engine: Docker, dockerHost: string): Promise<EngineInfo> {
  let info: Record<string, unknown>;
  try {
    info = await engine.info();
  } catch (error) {
    throw new UnreachableError(
      `no Docker engine answers at ${dockerHost} (${describeError(error)}): start dockerd or set DOCKER_HOST`,
    );
  }
  return {
    serverVersion: String(info.ServerVersion ?? "unknown"),
    operatingSystem: String(info.OperatingSystem ?? "unknown"),
    cpus: Number(info.NCPU ?? 0),
    memoryBytes: Number(info.MemTotal ?? 0),
    containers: Number(info.Containers ?? 0),
    runtimes: Object.keys((info.Runtimes as Record<string, unknown> | undefined) ?? {}),
  };
}
