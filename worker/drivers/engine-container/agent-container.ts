// What an agent container is: the hardened settings every agent gets, whatever its image.
import type Docker from "dockerode";
import { tasksBasePath, tasksHost } from "../../../common/task-contract.ts";
import { type AgentSpec, AgentSpecError } from "../driver.ts";
import {
  AGENT_CA_BUNDLE,
  AGENT_NETWORK,
  agentContainerName,
  agentLabels,
  CA_BUNDLE_NAME,
  GATEWAY_PORT,
  SANDBOX_SOCKET_DIR,
} from "./names.ts";
import { AGENT_GID, AGENT_UID } from "./workspace.ts";

const MiB = 1024 * 1024;
export const WORKSPACE_PATH = "/workspace";

function environment(env: Record<string, string>): string[] {
  return Object.entries(env).map(([key, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new AgentSpecError(`environment variable name "${key}" is not valid`);
    }
    return `${key}=${value}`;
  });
}

/**
 * The way out, as standard variables every HTTP client honours: the gateway as proxy (with
 * the agent's token as its credentials) and the bundle of certificates to trust. They win
 * over the agent's own settings of the same names.
 */
function gatewayEnvironment(spec: AgentSpec, gatewayAddress: string): string[] {
  const access = spec.gateway;
  if (!access) return [];
  const user = `${encodeURIComponent(access.username)}:${encodeURIComponent(access.token)}`;
  const proxy = `http://${user}@${gatewayAddress}:${GATEWAY_PORT}`;
  const vars: Record<string, string> = {
    ...access.placeholders,
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    NO_PROXY: "",
    no_proxy: "",
    SSL_CERT_FILE: AGENT_CA_BUNDLE,
    NODE_EXTRA_CA_CERTS: AGENT_CA_BUNDLE,
    REQUESTS_CA_BUNDLE: AGENT_CA_BUNDLE,
    CURL_CA_BUNDLE: AGENT_CA_BUNDLE,
    GIT_SSL_CAINFO: AGENT_CA_BUNDLE,
    // The task contract, answered by the gateway itself (common/task-contract.ts).
    CORRAL_TASKS_URL: `http://${tasksHost}${tasksBasePath}`,
  };
  return Object.entries(vars).map(([key, value]) => `${key}=${value}`);
}

/** The agent's CPU limit in the engine's unit (billionths of a CPU), as LABEL.cpuLimit holds it. */
export const nanoCpus = (spec: Pick<AgentSpec, "cpus">) => Math.round(spec.cpus * 1e9);

/**
 * The CFS period of an agent's CPU limit: 1 s, the kernel's longest, not the 100 ms the
 * engine's own `--cpus` uses. Measured in a sandbox's engine (#15): a container made with
 * 0.1 CPU over 100 ms takes about 100 ms longer to start, because runc's and the init's own
 * work in its cgroup waits out periods; setting the limit after the start instead is an
 * engine round trip (about 50 ms). Over 1 s the start fits in the first period's quota: the
 * limit is in force from the agent's first instruction and costs its start nothing. The
 * share is the same; a busy agent runs in longer slices (at 0.1 CPU, 100 ms in each second).
 */
export const CPU_PERIOD_US = 1_000_000;

/** The engine's settings for a CPU limit of `nano` billionths of a CPU. */
export const cpuLimitOptions = (nano: number) => ({
  CpuPeriod: CPU_PERIOD_US,
  CpuQuota: Math.round((nano / 1e9) * CPU_PERIOD_US),
});

/** The container an agent runs in, with every limit in force from its start. */
export function agentContainerOptions(
  spec: AgentSpec,
  image: string,
  workspaceVolume: string,
  gatewayAddress: string,
  driver?: string,
): Docker.ContainerCreateOptions {
  const memory = spec.memoryMb * MiB;
  const gatewayNames = new Set(
    gatewayEnvironment(spec, gatewayAddress).map((v) => v.split("=")[0]),
  );
  const ownEnv = environment(spec.env).filter((v) => !gatewayNames.has(v.split("=")[0]));
  return {
    name: agentContainerName(spec.agentId, spec.generation),
    Image: image,
    // An empty command keeps the image's own.
    Cmd: spec.command.length > 0 ? spec.command : undefined,
    Env: [...ownEnv, ...gatewayEnvironment(spec, gatewayAddress)],
    User: `${AGENT_UID}:${AGENT_GID}`,
    WorkingDir: WORKSPACE_PATH,
    Labels: agentLabels(spec.tenantId, spec.agentId, spec.generation, driver),
    HostConfig: {
      Privileged: false,
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      // The engine's default seccomp profile applies because none is named here.
      SecurityOpt: ["no-new-privileges:true"],
      PidsLimit: spec.pids,
      ...cpuLimitOptions(nanoCpus(spec)),
      Memory: memory,
      MemorySwap: memory,
      Tmpfs: { "/tmp": "rw,nosuid,nodev,size=64m" },
      Mounts: [
        {
          Type: "volume",
          Source: workspaceVolume,
          Target: WORKSPACE_PATH,
          // No copy of the image's folder into the volume: it would also copy its owner.
          VolumeOptions: { NoCopy: true, Labels: {}, DriverConfig: { Name: "local", Options: {} } },
        },
        // The certificates to trust (public roots plus the tenant's gateway CA), read-only.
        ...(spec.gateway
          ? [
              {
                Type: "bind" as const,
                Source: `${SANDBOX_SOCKET_DIR}/${CA_BUNDLE_NAME}`,
                Target: AGENT_CA_BUNDLE,
                ReadOnly: true,
              },
            ]
          : []),
      ],
      // No DNS leaves the sandbox: the engine's resolver would forward agents' queries (a way
      // to smuggle data out). Nothing answers here; the gateway resolves names for agents.
      Dns: ["127.0.0.1"],
      // Reaps zombies and forwards signals, whatever the agent's process does.
      Init: true,
      // Crashes restart with the engine's growing back-off; a stop by the driver stays stopped.
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 0 },
      NetworkMode: AGENT_NETWORK,
      IpcMode: "private",
    },
  };
}
