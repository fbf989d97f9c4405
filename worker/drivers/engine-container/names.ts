// Every name and label this driver gives things, on the host engine and inside sandboxes.
// Names are derived from ids alone, so a retried call after a crash finds what the first made.
import { createHash } from "node:crypto";
import path from "node:path";

export const DRIVER_NAME = "engine-container";

export const LABEL = {
  tenant: "corral.tenant",
  agent: "corral.agent",
  generation: "corral.generation",
  role: "corral.role",
  driver: "corral.driver",
  /** The driver instance (worker host) that owns a sandbox; see EngineContainerDriverOptions. */
  host: "corral.host",
  /** The size the sandbox's storage was made with (a new size re-makes the container). */
  storageMb: "corral.storage-mb",
  tenantSlug: "corral.tenant-slug",
  /** An agent's CPU limit, in billionths of a CPU: set once it has started (agent-container.ts). */
  cpuLimit: "corral.nano-cpus",
  /** A stopped agent's next run, started and frozen before the agent's process (agent-hold.ts). */
  hold: "corral.hold",
} as const;

/**
 * The agents' network and its bridge inside a sandbox. Each sandbox has its own network
 * namespace and engine, so one fixed name serves every tenant.
 */
export const AGENT_NETWORK = "corral-agents";
export const AGENT_BRIDGE = "corral-agents";

/** Where the sandbox's engine listens, inside the sandbox container (bind-mounted folder). */
export const SANDBOX_SOCKET_DIR = "/run/engine";

/** In the shared folder: the gateway's socket (the forwarder in the sandbox dials it)... */
export const GATEWAY_SOCKET_NAME = "gateway.sock";
/** ...and the CA bundle, mounted into agents at AGENT_CA_BUNDLE. */
export const CA_BUNDLE_NAME = "ca-bundle.pem";
export const AGENT_CA_BUNDLE = "/etc/corral/ca-bundle.pem";
/** The port agents reach the gateway on, at their network's gateway address. */
export const GATEWAY_PORT = 3128;

/** The longest path a unix socket may have (sun_path holds 108 bytes with the final NUL). */
const maxSocketPath = 107;

/** An id as it can appear in a Docker name: as is when allowed, else a stable hash. */
export function nameSafe(id: string): string {
  if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(id)) return id;
  return `x${createHash("sha256").update(id).digest("hex").slice(0, 24)}`;
}

export interface SandboxNames {
  container: string;
  network: string;
  /** The host bridge of that network (at most 15 characters), fenced by host-firewall.ts. */
  bridge: string;
  /** Holds the image file of the private engine's storage (see sandbox-engine/disk.sh). */
  volume: string;
  /** Host folder for this tenant's state; removed with the sandbox. */
  stateDir: string;
  /** Host folder bind-mounted at SANDBOX_SOCKET_DIR. */
  socketDir: string;
  socketPath: string;
  /** The egress gateway's socket for this tenant, in the same shared folder. */
  gatewaySocketPath: string;
  /** The CA bundle agents trust, in the same shared folder (mounted read-only into agents). */
  caBundlePath: string;
}

export function sandboxNames(stateDir: string, hostKey: string, tenantId: string): SandboxNames {
  const key = nameSafe(tenantId);
  // Host-engine names carry the host key: two drivers sharing an engine never collide.
  const prefix = `corral-sandbox-${nameSafe(hostKey)}-${key}`;
  const tenantStateDir = path.join(stateDir, key);
  const socketDir = path.join(tenantStateDir, "run");
  return {
    container: prefix,
    network: prefix,
    bridge: `crl-${createHash("sha256").update(`${hostKey}\0${tenantId}`).digest("hex").slice(0, 11)}`,
    // "-store", not the "-engine" volume of before fixed-size storage (its layout differs).
    volume: `${prefix}-store`,
    stateDir: tenantStateDir,
    socketDir,
    socketPath: path.join(socketDir, "docker.sock"),
    gatewaySocketPath: path.join(socketDir, GATEWAY_SOCKET_NAME),
    caBundlePath: path.join(socketDir, CA_BUNDLE_NAME),
  };
}

/** Throws when the state folder makes socket paths longer than unix sockets allow. */
export function checkSocketPath(names: SandboxNames): void {
  if (Buffer.byteLength(names.gatewaySocketPath) > maxSocketPath) {
    throw new Error(
      `sandbox socket path ${names.gatewaySocketPath} is longer than ${maxSocketPath} bytes: choose a shorter stateDir`,
    );
  }
}

export function sandboxLabels(hostKey: string, tenantId: string): Record<string, string> {
  return {
    [LABEL.tenant]: tenantId,
    [LABEL.role]: "sandbox",
    [LABEL.driver]: DRIVER_NAME,
    [LABEL.host]: hostKey,
  };
}

/** Label filter for everything one driver instance made on the host engine. */
export function ownedBy(hostKey: string, tenantId?: string): string[] {
  const labels = [`${LABEL.driver}=${DRIVER_NAME}`, `${LABEL.host}=${hostKey}`];
  return tenantId === undefined ? labels : [...labels, `${LABEL.tenant}=${tenantId}`];
}

/** One container per agent and generation: a retried create finds it by this name. */
export function agentContainerName(agentId: string, generation: number): string {
  return `corral-agent-${nameSafe(agentId)}-g${generation}`;
}

/** Outlives the agent's containers (generations share it); removed only on purge. */
export function workspaceVolumeName(agentId: string): string {
  return `corral-workspace-${nameSafe(agentId)}`;
}

/** `driver`: what holds the engine the agent runs in (engine-container, or microvm). */
export function agentLabels(
  tenantId: string,
  agentId: string,
  generation: number,
  driver: string = DRIVER_NAME,
): Record<string, string> {
  return {
    [LABEL.tenant]: tenantId,
    [LABEL.agent]: agentId,
    [LABEL.generation]: String(generation),
    [LABEL.driver]: driver,
  };
}
