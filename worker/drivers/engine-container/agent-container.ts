// What an agent container is: the hardened settings every agent gets, whatever its image.
import type Docker from "dockerode";
import { type AgentSpec, AgentSpecError } from "../driver.ts";
import { AGENT_NETWORK, agentContainerName, agentLabels } from "./names.ts";
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

export function agentContainerOptions(
  spec: AgentSpec,
  image: string,
  workspaceVolume: string,
): Docker.ContainerCreateOptions {
  const memory = spec.memoryMb * MiB;
  return {
    name: agentContainerName(spec.agentId, spec.generation),
    Image: image,
    // An empty command keeps the image's own.
    Cmd: spec.command.length > 0 ? spec.command : undefined,
    Env: environment(spec.env),
    User: `${AGENT_UID}:${AGENT_GID}`,
    WorkingDir: WORKSPACE_PATH,
    Labels: agentLabels(spec.tenantId, spec.agentId, spec.generation),
    HostConfig: {
      Privileged: false,
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      // The engine's default seccomp profile applies because none is named here.
      SecurityOpt: ["no-new-privileges:true"],
      PidsLimit: spec.pids,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(spec.cpus * 1e9),
      Tmpfs: { "/tmp": "rw,nosuid,nodev,size=64m" },
      Mounts: [
        {
          Type: "volume",
          Source: workspaceVolume,
          Target: WORKSPACE_PATH,
          // No copy of the image's folder into the volume: it would also copy its owner.
          VolumeOptions: { NoCopy: true, Labels: {}, DriverConfig: { Name: "local", Options: {} } },
        },
      ],
      // Reaps zombies and forwards signals, whatever the agent's process does.
      Init: true,
      // Crashes restart with the engine's growing back-off; a stop by the driver stays stopped.
      RestartPolicy: { Name: "on-failure", MaximumRetryCount: 0 },
      NetworkMode: AGENT_NETWORK,
      IpcMode: "private",
    },
  };
}
