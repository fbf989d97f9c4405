// The engine-container driver: each tenant's sandbox is a privileged container on the host
// engine running a private Docker engine; the tenant's agents are hardened containers inside
// it, on an internal network with the sandbox's gateway closed. Nothing is remembered between
// calls: every operation looks at the engines (by name and label) and acts on what it finds.
import { rm } from "node:fs/promises";
import type Docker from "dockerode";
import { describeError, UnreachableError } from "../../../common/errors.ts";
import type {
  AgentSpec,
  AgentStats,
  DriverFingerprint,
  GatewayEndpoint,
  LogLine,
  ObservedAgent,
  ObservedSandbox,
  SandboxDiskUsage,
  SandboxDriver,
  SandboxSpec,
} from "../driver.ts";
import { ensureAgentNetwork, ensureGatewayRule, networkGateway } from "./agent-network.ts";
import {
  type AgentHome,
  type AgentImages,
  agentLogs,
  agentStats,
  createAgentIn,
  execInAgent,
  listAgentsIn,
  removeAgentIn,
  startAgentIn,
  stopAgentIn,
} from "./agents-in-engine.ts";
import { readDiskUsage } from "./disk.ts";
import { orNull, tolerating } from "./engine-errors.ts";
import { unfenceBridge } from "./host-firewall.ts";
import {
  AGENT_NETWORK,
  checkSocketPath,
  DRIVER_NAME,
  LABEL,
  ownedBy,
  type SandboxNames,
  sandboxNames,
} from "./names.ts";
import { PrivateEngines, pingEngine, waitForEngine } from "./private-engine.ts";
import { containerShell, type ExecResult } from "./run-exec.ts";
import {
  ensureSandboxContainer,
  ensureSandboxSurroundings,
  hasStaleSocketMount,
} from "./sandbox-container.ts";
import { defaultSandboxSubnetPool } from "./sandbox-subnets.ts";
import { forgetMountedWorkspaces } from "./workspace.ts";

export interface EngineContainerDriverOptions {
  /** OCI runtime for the privileged sandbox container: runc, runc-privfix, sysbox-runc. */
  runtime?: string;
  /** Host folder holding one folder per tenant with its engine socket (`<tenant>/run`). */
  stateDir: string;
  /** Image of the sandbox container (corral/sandbox-engine, see infra/images). */
  sandboxImage: string;
  /** Image for agents whose spec names none (corral/agent-base). */
  agentImageDefault: string;
  /** Subnet of the agents' network inside every sandbox; keep it clear of the host's. */
  agentSubnet?: string;
  /**
   * Where sandboxes' host networks take their addresses, a /28 each (sandbox-subnets.ts;
   * default 10.214.0.0/16). Keep it clear of agentSubnet and of the host's own networks.
   */
  sandboxSubnetPool?: string;
  /** How long ensureSandbox waits for a sandbox's engine to answer. */
  engineReadyTimeoutMs?: number;
  /**
   * Which worker owns the sandboxes (its name; default "local"). Host-engine names and labels
   * carry it, and list/destroy see only its own: two workers sharing one engine (tests,
   * a host handing over to its replacement) never touch each other's sandboxes.
   */
  hostKey?: string;
  /**
   * Registries a sandbox's engine may pull agent images from (e.g. docker.io, ghcr.io);
   * none by default: only Corral's images, copied from the host, run.
   */
  allowedRegistries?: string[];
  /**
   * Each sandbox's storage in MiB: its engine's images and containers and its agents'
   * workspaces, reserved on the host's disk up front (default 10240).
   */
  storageMb?: number;
}

export const DEFAULT_SANDBOX_STORAGE_MB = 10240;

/** An operation named an agent that has no container in its sandbox. */
const stopTimeoutSeconds = 10;

export class EngineContainerDriver implements SandboxDriver {
  readonly name = DRIVER_NAME;
  readonly #host: Docker;
  readonly #runtime: string;
  readonly #stateDir: string;
  readonly #sandboxImage: string;
  readonly #agentImageDefault: string;
  readonly #agentSubnet: string;
  readonly #sandboxSubnetPool: string;
  readonly #engineReadyTimeoutMs: number;
  readonly #hostKey: string;
  readonly #engines = new PrivateEngines();
  readonly #gatewayAddress: string;
  readonly #allowedRegistries: string[];
  readonly #storageMb: number;

  constructor(host: Docker, options: EngineContainerDriverOptions) {
    this.#host = host;
    this.#runtime = options.runtime ?? "runc";
    this.#stateDir = options.stateDir;
    this.#sandboxImage = options.sandboxImage;
    this.#agentImageDefault = options.agentImageDefault;
    this.#agentSubnet = options.agentSubnet ?? "10.213.0.0/20";
    this.#sandboxSubnetPool = options.sandboxSubnetPool ?? defaultSandboxSubnetPool;
    this.#engineReadyTimeoutMs = options.engineReadyTimeoutMs ?? 60_000;
    this.#hostKey = options.hostKey ?? "local";
    this.#gatewayAddress = networkGateway(this.#agentSubnet);
    this.#allowedRegistries = options.allowedRegistries ?? [];
    this.#storageMb = options.storageMb ?? DEFAULT_SANDBOX_STORAGE_MB;
  }

  async fingerprint(): Promise<DriverFingerprint> {
    const labels = {
      driver: DRIVER_NAME,
      microvm: "false",
      container: "true",
      runtime: this.#runtime,
    };
    let info: Record<string, unknown>;
    try {
      info = await this.#host.info();
    } catch (error) {
      return {
        driver: DRIVER_NAME,
        healthy: false,
        reason: `host engine does not answer: ${describeError(error)}`,
        labels,
        capacity: { cpus: 0, memoryMb: 0 },
      };
    }
    const runtimes = Object.keys((info.Runtimes as Record<string, unknown> | undefined) ?? {});
    const hasRuntime = runtimes.includes(this.#runtime);
    return {
      driver: DRIVER_NAME,
      healthy: hasRuntime,
      reason: hasRuntime
        ? undefined
        : `host engine has no runtime ${this.#runtime} (it has ${runtimes.join(", ")})`,
      labels,
      capacity: {
        cpus: Number(info.NCPU ?? 0),
        memoryMb: Math.floor(Number(info.MemTotal ?? 0) / (1024 * 1024)),
      },
    };
  }

  // --- Sandboxes -------------------------------------------------------------------------

  async ensureSandbox(spec: SandboxSpec): Promise<void> {
    const names = this.#names(spec.tenantId);
    await ensureSandboxSurroundings(
      this.#host,
      names,
      this.#hostKey,
      spec.tenantId,
      this.#sandboxSubnetPool,
    );
    const config = {
      hostKey: this.#hostKey,
      image: this.#sandboxImage,
      runtime: this.#runtime,
      gatewayAddress: this.#gatewayAddress,
      storageMb: this.#storageMb,
    };
    const { container: sandbox, wasRunning } = await ensureSandboxContainer(
      this.#host,
      names,
      spec,
      config,
    );
    // A socket folder removed under a running container leaves its bind mount pointing at
    // the old folder, so the host never sees the socket; a restart mounts the new one.
    if (wasRunning && (await hasStaleSocketMount(sandbox, names))) {
      await sandbox.restart({ t: stopTimeoutSeconds });
    }
    const engine = this.#engines.forSocket(names.socketPath);
    await waitForEngine(engine, names.socketPath, sandbox, this.#engineReadyTimeoutMs);
    await ensureAgentNetwork(engine, spec.tenantId, this.#agentSubnet);
    await ensureGatewayRule(containerShell(sandbox), this.#gatewayAddress);
  }

  gatewayEndpoint(tenantId: string): GatewayEndpoint {
    const names = this.#names(tenantId);
    return { socketPath: names.gatewaySocketPath, caBundlePath: names.caBundlePath };
  }

  async destroySandbox(tenantId: string): Promise<void> {
    const names = this.#names(tenantId);
    const filters = { label: ownedBy(this.#hostKey, tenantId) };
    // The container first: its agents die with it, and its volume and network come free.
    for (const container of await this.#host.listContainers({ all: true, filters })) {
      await tolerating([404, 409], this.#host.getContainer(container.Id).remove({ force: true }));
    }
    const { Volumes } = await this.#host.listVolumes({ filters });
    for (const volume of Volumes ?? []) {
      await tolerating([404], this.#host.getVolume(volume.Name).remove());
    }
    for (const network of await this.#host.listNetworks({ filters })) {
      await tolerating([404], this.#host.getNetwork(network.Id).remove());
    }
    await unfenceBridge(names.bridge);
    await rm(names.stateDir, { recursive: true, force: true });
    this.#engines.forget(names.socketPath);
    forgetMountedWorkspaces(tenantId);
  }

  async listSandboxes(only?: ReadonlySet<string>): Promise<ObservedSandbox[]> {
    const containers = await this.#host.listContainers({
      all: true,
      filters: { label: [...ownedBy(this.#hostKey), `${LABEL.role}=sandbox`] },
    });
    const asked = containers.filter((c) => !only || only.has(c.Labels[LABEL.tenant] ?? ""));
    return Promise.all(
      asked.map(async (container): Promise<ObservedSandbox> => {
        const tenantId = container.Labels[LABEL.tenant] ?? "";
        if (container.State !== "running") {
          return { tenantId, ready: false, reason: `sandbox container is ${container.State}` };
        }
        const names = this.#names(tenantId);
        const engine = this.#engines.forSocket(names.socketPath);
        const reason = await pingEngine(engine, names.socketPath);
        if (reason !== null) return { tenantId, ready: false, reason };
        // Ready means ready for agents: a worker killed mid-provision may have left an
        // engine that answers but has no agents' network yet.
        if (!(await orNull(engine.getNetwork(AGENT_NETWORK).inspect())))
          return { tenantId, ready: false, reason: "the agents' network is missing" };
        return { tenantId, ready: true };
      }),
    );
  }

  // --- Agents ------------------------------------------------------------------------------

  async listAgents(tenantId: string): Promise<ObservedAgent[]> {
    return listAgentsIn(await this.#readyEngine(tenantId), tenantId);
  }

  async createAgent(spec: AgentSpec): Promise<void> {
    await createAgentIn(await this.#home(spec.tenantId), this.#images(), spec);
  }

  async startAgent(tenantId: string, agentId: string): Promise<void> {
    await startAgentIn(await this.#readyEngine(tenantId), tenantId, agentId);
  }

  async stopAgent(tenantId: string, agentId: string): Promise<void> {
    await stopAgentIn(await this.#readyEngine(tenantId), tenantId, agentId);
  }

  async removeAgent(
    tenantId: string,
    agentId: string,
    options: { purge?: boolean; keepGeneration?: number } = {},
  ): Promise<void> {
    await removeAgentIn(await this.#home(tenantId), tenantId, agentId, options);
  }

  async logs(
    tenantId: string,
    agentId: string,
    options: { since?: Date; tail?: number },
  ): Promise<LogLine[]> {
    return agentLogs(await this.#readyEngine(tenantId), tenantId, agentId, options);
  }

  async stats(tenantId: string, agentId: string): Promise<AgentStats> {
    return agentStats(await this.#readyEngine(tenantId), tenantId, agentId);
  }

  async diskUsage(tenantId: string, agentIds: string[]): Promise<SandboxDiskUsage> {
    await this.#readyEngine(tenantId);
    return readDiskUsage(this.#sandboxShell(tenantId), agentIds);
  }

  async exec(tenantId: string, agentId: string, command: string[]): Promise<ExecResult> {
    return execInAgent(await this.#readyEngine(tenantId), tenantId, agentId, command);
  }

  // --- Helpers -----------------------------------------------------------------------------

  #names(tenantId: string): SandboxNames {
    const names = sandboxNames(this.#stateDir, this.#hostKey, tenantId);
    checkSocketPath(names);
    return names;
  }

  /** Commands as root in the sandbox container (corral-disk, the agents' firewall). */
  #sandboxShell(tenantId: string) {
    return containerShell(this.#host.getContainer(this.#names(tenantId).container));
  }

  /** The tenant's private engine, or UnreachableError when it does not answer. */
  async #readyEngine(tenantId: string): Promise<Docker> {
    const names = this.#names(tenantId);
    const engine = this.#engines.forSocket(names.socketPath);
    const reason = await pingEngine(engine, names.socketPath);
    if (reason !== null) {
      throw new UnreachableError(`sandbox of tenant ${tenantId} is not ready: ${reason}`);
    }
    return engine;
  }

  async #home(tenantId: string): Promise<AgentHome> {
    const engine = await this.#readyEngine(tenantId);
    const sandbox = await this.#host.getContainer(this.#names(tenantId).container).inspect();
    return {
      engine,
      shell: this.#sandboxShell(tenantId),
      driver: DRIVER_NAME,
      // The container and its start: a restart or a new container mounts workspaces afresh.
      boot: `${sandbox.Id}@${sandbox.State.StartedAt}`,
    };
  }

  #images(): AgentImages {
    return {
      host: this.#host,
      agentImageDefault: this.#agentImageDefault,
      allowedRegistries: this.#allowedRegistries,
      gatewayAddress: this.#gatewayAddress,
    };
  }
}
