// A tenant's sandbox on the host engine: one privileged container running the tenant's
// private engine, on a bridge network of its own, with its socket in a host folder. Its CPU
// and memory limits are the tenant's quota; its disk is a fixed-size filesystem (an image
// file in a named volume, mounted at /var/lib/docker by the container itself, see disk.ts).
import { existsSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import type Docker from "dockerode";
import type { SandboxSpec } from "../driver.ts";
import { STORE_VOLUME_PATH } from "./disk.ts";
import { orNull, statusOf, tolerating } from "./engine-errors.ts";
import { fenceBridge } from "./host-firewall.ts";
import { ensureNetwork } from "./host-network.ts";
import { parseFrames } from "./multiplexed.ts";
import {
  AGENT_BRIDGE,
  GATEWAY_PORT,
  LABEL,
  SANDBOX_SOCKET_DIR,
  type SandboxNames,
  sandboxLabels,
} from "./names.ts";
import { runExec } from "./run-exec.ts";

const MiB = 1024 * 1024;

export interface SandboxContainerConfig {
  hostKey: string;
  /** Where agents reach the gateway inside the sandbox (their network's own address). */
  gatewayAddress: string;
  image: string;
  /** OCI runtime able to run a privileged container (runc, runc-privfix, sysbox-runc). */
  runtime: string;
  /** Size of the sandbox's storage (engine images, containers, agents' workspaces), MiB. */
  storageMb: number;
}

/** Host-side pieces a sandbox container needs: its network, volume and socket folder. */
export async function ensureSandboxSurroundings(
  host: Docker,
  names: SandboxNames,
  hostKey: string,
  tenantId: string,
  subnetPool: string,
): Promise<void> {
  const labels = sandboxLabels(hostKey, tenantId);
  // A network per tenant: the engine isolates bridges from each other, so sandboxes of
  // different tenants cannot reach one another. Its addresses come from the driver's pool.
  const network = await ensureNetwork(
    host,
    {
      Name: names.network,
      Driver: "bridge",
      Labels: labels,
      Options: { "com.docker.network.bridge.name": names.bridge },
    },
    subnetPool,
  );
  if (network.Options?.["com.docker.network.bridge.name"] !== names.bridge)
    throw new Error(
      `network ${names.network} is not on bridge ${names.bridge}: remove it to re-make it`,
    );
  await fenceBridge(names.bridge);
  await host.createVolume({ Name: names.volume, Labels: labels });
  await mkdir(names.socketDir, { recursive: true, mode: 0o700 });
}

function quota(spec: SandboxSpec) {
  const memory = spec.memoryMb * MiB;
  return { NanoCpus: Math.round(spec.cpus * 1e9), Memory: memory, MemorySwap: memory };
}

function createOptions(
  names: SandboxNames,
  spec: SandboxSpec,
  config: SandboxContainerConfig,
): Docker.ContainerCreateOptions {
  // CgroupnsMode is missing from dockerode's types.
  const hostConfig: Docker.HostConfig & { CgroupnsMode: "host" } = {
    Runtime: config.runtime,
    // The inner engine manages cgroups, namespaces and iptables: it needs a privileged
    // container (sysbox-runc makes that safe in production).
    Privileged: true,
    CgroupnsMode: "host",
    Init: true,
    Binds: [`${names.socketDir}:${SANDBOX_SOCKET_DIR}`],
    // Only the image file of the storage lives on the host volume; the container mounts it.
    Mounts: [{ Type: "volume", Source: names.volume, Target: STORE_VOLUME_PATH }],
    NetworkMode: names.network,
    RestartPolicy: { Name: "unless-stopped" },
    ...quota(spec),
  };
  return {
    name: names.container,
    Image: config.image,
    Env: [
      `CORRAL_AGENT_BRIDGE=${AGENT_BRIDGE}`,
      `CORRAL_GATEWAY_ADDRESS=${config.gatewayAddress}`,
      `CORRAL_GATEWAY_PORT=${GATEWAY_PORT}`,
      `CORRAL_STORAGE_MB=${config.storageMb}`,
    ],
    Labels: {
      ...sandboxLabels(config.hostKey, spec.tenantId),
      [LABEL.tenantSlug]: spec.tenantSlug,
      [LABEL.storageMb]: String(config.storageMb),
    },
    HostConfig: hostConfig,
  };
}

/**
 * Makes the sandbox container exist, run and carry the current quota: created when missing,
 * recreated when dead or made with another storage size (its volume keeps the engine's data,
 * and a larger size grows it), started when stopped.
 */
export async function ensureSandboxContainer(
  host: Docker,
  names: SandboxNames,
  spec: SandboxSpec,
  config: SandboxContainerConfig,
): Promise<{ container: Docker.Container; wasRunning: boolean }> {
  const container = host.getContainer(names.container);
  let info = await orNull(container.inspect());
  if (info && info.Config.Labels?.[LABEL.tenant] !== spec.tenantId) {
    throw new Error(
      `container ${names.container} exists but is not the sandbox of ${spec.tenantId}`,
    );
  }
  // The storage size is fixed when the container is made (containers made before sizes
  // existed have no label, and keep their engine's data unbounded: they are re-made too).
  const resized = info && info.Config.Labels?.[LABEL.storageMb] !== String(config.storageMb);
  if (info && (resized || info.State.Dead || info.State.Status === "removing")) {
    await tolerating([404, 409], container.remove({ force: true }));
    info = null;
  }
  if (!info) {
    await tolerating([409], host.createContainer(createOptions(names, spec, config)));
    info = await container.inspect();
  }

  const wanted = quota(spec);
  const current = info.HostConfig;
  if (current.NanoCpus !== wanted.NanoCpus || current.Memory !== wanted.Memory) {
    await container.update(wanted);
  }

  const wasRunning = info.State.Running && !info.State.Paused && !info.State.Restarting;
  if (info.State.Paused) await container.unpause();
  else if (!info.State.Running && !info.State.Restarting) {
    await tolerating([304], container.start());
  }
  return { container, wasRunning };
}

/**
 * The socket folder the container has mounted is not the host's current one (it was deleted,
 * maybe recreated): the engine listens where the host cannot see it.
 */
export async function hasStaleSocketMount(
  container: Docker.Container,
  names: SandboxNames,
): Promise<boolean> {
  if (existsSync(names.socketPath)) return false;
  const mounted = await runExec(container, ["stat", "-c", "%i %h", SANDBOX_SOCKET_DIR]);
  const [inode, links] = mounted.output.trim().split(" ").map(Number);
  const current = await stat(names.socketDir);
  return links === 0 || inode !== current.ino;
}

/** The last lines the sandbox's engine wrote: why it is not answering. */
export async function lastLogLines(container: Docker.Container, lines = 5): Promise<string> {
  try {
    const raw = (await container.logs({
      stdout: true,
      stderr: true,
      tail: lines,
      follow: false,
    })) as unknown as Buffer;
    return parseFrames(raw)
      .map((frame) => frame.payload.toString("utf8").trim())
      .join(" | ");
  } catch (error) {
    return statusOf(error) === 404 ? "container is gone" : "no logs";
  }
}
