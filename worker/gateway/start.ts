// The worker's gateway from its configuration, with one clear line when a setting is wrong.
import { readFile } from "node:fs/promises";
import { ConfigError } from "../../common/errors.ts";
import type { WorkerConfig } from "../config.ts";
import { EgressGateway } from "./gateway.ts";
import { parseCidrs } from "./upstream.ts";

export async function startGateway(config: WorkerConfig, log: (line: string) => void) {
  try {
    parseCidrs(config.CORRAL_GATEWAY_ALLOW_RANGES);
  } catch (error) {
    throw new ConfigError(`CORRAL_GATEWAY_ALLOW_RANGES: ${(error as Error).message}`);
  }
  let upstreamCaPem: string | undefined;
  if (config.CORRAL_GATEWAY_UPSTREAM_CA) {
    upstreamCaPem = await readFile(config.CORRAL_GATEWAY_UPSTREAM_CA, "utf8").catch(() => {
      throw new ConfigError(
        `CORRAL_GATEWAY_UPSTREAM_CA: cannot read ${config.CORRAL_GATEWAY_UPSTREAM_CA}`,
      );
    });
  }
  const gateway = await EgressGateway.start({
    stateDir: config.CORRAL_WORKER_STATE_DIR,
    allowRanges: config.CORRAL_GATEWAY_ALLOW_RANGES,
    staticHosts: config.CORRAL_GATEWAY_STATIC_HOSTS,
    upstreamCaPem,
    log,
  });
  const ranges = config.CORRAL_GATEWAY_ALLOW_RANGES;
  log(
    `egress gateway ready${ranges.length > 0 ? ` (internal ranges allowed: ${ranges.join(", ")})` : ""}`,
  );
  return gateway;
}
