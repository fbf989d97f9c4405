// One host, two walls: a driver that hands each sandbox to the driver of its isolation
// (microvm or container) and each later call to the driver holding that tenant. The
// reconciler sees one SandboxDriver; the fleet sees a host offering both.
import type { SandboxIsolation } from "../../common/worker-protocol.ts";
import type {
  AgentSpec,
  DriverFingerprint,
  GatewayEndpoint,
  ObservedSandbox,
  SandboxDriver,
  SandboxSpec,
} from "./driver.ts";
import { NotSupportedError } from "./driver.ts";

export interface DriversByIsolation {
  microvm?: SandboxDriver;
  container?: SandboxDriver;
  /** Used when a sandbox's isolation is not given (a control plane that predates it). */
  fallback: SandboxIsolation;
}

export class IsolationDriver implements SandboxDriver {
  readonly name: string;
  readonly #drivers: Map<SandboxIsolation, SandboxDriver>;
  readonly #fallback: SandboxIsolation;
  /** Which wall holds each tenant, as the last list or ensure found it. */
  readonly #holding = new Map<string, SandboxIsolation>();

  constructor({ microvm, container, fallback }: DriversByIsolation) {
    this.#drivers = new Map();
    if (microvm) this.#drivers.set("microvm", microvm);
    if (container) this.#drivers.set("container", container);
    if (!this.#drivers.has(fallback)) throw new Error(`no ${fallback} driver to fall back on`);
    this.#fallback = fallback;
    this.name = [...this.#drivers.values()].map((d) => d.name).join("+");
  }

  /** The isolations this host can give. */
  get isolations(): SandboxIsolation[] {
    return [...this.#drivers.keys()];
  }

  #driver(isolation: SandboxIsolation): SandboxDriver {
    const driver = this.#drivers.get(isolation);
    if (!driver)
      throw new NotSupportedError(
        `this host offers no ${isolation} isolation (it runs ${this.isolations.join(" and ")})`,
      );
    return driver;
  }

  #holder(tenantId: string): SandboxDriver {
    return this.#driver(this.#holding.get(tenantId) ?? this.#fallback);
  }

  async fingerprint(): Promise<DriverFingerprint> {
    const prints = await Promise.all(
      [...this.#drivers].map(async ([isolation, d]) => ({ isolation, fp: await d.fingerprint() })),
    );
    const healthy = prints.filter((p) => p.fp.healthy);
    const offers = (isolation: SandboxIsolation) =>
      String(healthy.some((p) => p.isolation === isolation));
    const labels: Record<string, string> = {};
    for (const { fp } of prints) Object.assign(labels, fp.labels);
    return {
      driver: this.name,
      // One wall that works keeps the host useful; the labels say which.
      healthy: healthy.length > 0,
      ...(healthy.length < prints.length && {
        reason: prints
          .filter((p) => !p.fp.healthy)
          .map((p) => `${p.fp.driver}: ${p.fp.reason ?? "unhealthy"}`)
          .join("; "),
      }),
      labels: {
        ...labels,
        driver: this.name,
        microvm: offers("microvm"),
        container: offers("container"),
      },
      capacity: {
        cpus: Math.max(0, ...prints.map((p) => p.fp.capacity.cpus)),
        memoryMb: Math.max(0, ...prints.map((p) => p.fp.capacity.memoryMb)),
      },
    };
  }

  async ensureSandbox(spec: SandboxSpec): Promise<void> {
    const isolation = spec.isolation ?? this.#fallback;
    const driver = this.#driver(isolation);
    this.#holding.set(spec.tenantId, isolation);
    await driver.ensureSandbox(spec);
  }

  /** Whatever holds the tenant, in every wall (a change of isolation leaves the old one). */
  async destroySandbox(tenantId: string): Promise<void> {
    for (const driver of this.#drivers.values()) await driver.destroySandbox(tenantId);
    this.#holding.delete(tenantId);
  }

  async listSandboxes(only?: ReadonlySet<string>): Promise<ObservedSandbox[]> {
    const found: ObservedSandbox[] = [];
    const walls = new Map<string, SandboxIsolation[]>();
    for (const [isolation, driver] of this.#drivers) {
      for (const sandbox of await driver.listSandboxes(only)) {
        found.push({ ...sandbox, isolation });
        walls.set(sandbox.tenantId, [...(walls.get(sandbox.tenantId) ?? []), isolation]);
      }
    }
    // Rebuilt from what exists; a tenant in both walls (mid-change) stays with the last ensured.
    for (const [tenantId, held] of walls) {
      const last = this.#holding.get(tenantId);
      if (!last || !held.includes(last)) this.#holding.set(tenantId, held[0] as SandboxIsolation);
    }
    return found;
  }

  gatewayEndpoint(tenantId: string): GatewayEndpoint {
    return this.#holder(tenantId).gatewayEndpoint(tenantId);
  }

  listAgents(tenantId: string) {
    return this.#holder(tenantId).listAgents(tenantId);
  }
  createAgent(spec: AgentSpec) {
    return this.#holder(spec.tenantId).createAgent(spec);
  }
  startAgent(tenantId: string, agentId: string) {
    return this.#holder(tenantId).startAgent(tenantId, agentId);
  }
  stopAgent(tenantId: string, agentId: string) {
    return this.#holder(tenantId).stopAgent(tenantId, agentId);
  }
  removeAgent(
    tenantId: string,
    agentId: string,
    options?: { purge?: boolean; keepGeneration?: number },
  ) {
    return this.#holder(tenantId).removeAgent(tenantId, agentId, options);
  }
  logs(tenantId: string, agentId: string, options: { since?: Date; tail?: number }) {
    return this.#holder(tenantId).logs(tenantId, agentId, options);
  }
  stats(tenantId: string, agentId: string) {
    return this.#holder(tenantId).stats(tenantId, agentId);
  }
  diskUsage(tenantId: string, agentIds: string[]) {
    return this.#holder(tenantId).diskUsage(tenantId, agentIds);
  }
  exec(tenantId: string, agentId: string, command: string[]) {
    return this.#holder(tenantId).exec(tenantId, agentId, command);
  }
}
