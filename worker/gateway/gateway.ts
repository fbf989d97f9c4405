// The egress gateway: the worker's door for every tenant on this host, run on the host,
// outside every sandbox. Per tenant it listens on the host socket the sandbox driver leads
// agents to, and writes the CA bundle agents trust. What it allows and which secrets it adds
// come from the desired state (held in memory only, dropped when a tenant leaves).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { rootCertificates } from "node:tls";
import { UnreachableError } from "../../common/errors.ts";
import type { DesiredState } from "../../common/worker-protocol.ts";
import type { AgentGatewayAccess, GatewayEndpoint } from "../drivers/driver.ts";
import { GatewayKeys } from "./credentials.ts";
import { PolicyTable } from "./policy-table.ts";
import { EgressRecorder } from "./recorder.ts";
import type { TaskRelay } from "./task-relay.ts";
import { TenantCa } from "./tenant-ca.ts";
import { TenantProxy } from "./tenant-proxy.ts";
import { type ResolverOptions, UpstreamResolver } from "./upstream.ts";

export interface GatewayOptions extends ResolverOptions {
  /** The worker's state folder: the gateway key and each tenant's CA live under it. */
  stateDir: string;
  /** Extra CA certificates (PEM) trusted for upstream TLS, e.g. a corporate or test CA. */
  upstreamCaPem?: string;
  /** The control plane, for the task contract (the worker's client). */
  tasks?: TaskRelay;
  log: (line: string) => void;
}

interface Listener {
  proxy: TenantProxy;
  endpoint: GatewayEndpoint;
}

export class EgressGateway {
  readonly recorder = new EgressRecorder();
  private readonly table: PolicyTable;
  private readonly resolver: UpstreamResolver;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly listeners = new Map<string, Listener>();
  private readonly cas = new Map<string, Promise<TenantCa>>();
  private taskRelay: TaskRelay | undefined;

  private constructor(
    private readonly keys: GatewayKeys,
    private readonly options: GatewayOptions,
  ) {
    this.table = new PolicyTable(keys);
    this.taskRelay = options.tasks;
    this.resolver = new UpstreamResolver(options);
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const ca = options.upstreamCaPem ? [...rootCertificates, options.upstreamCaPem] : undefined;
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 256, ...(ca && { ca }) });
  }

  static async start(options: GatewayOptions): Promise<EgressGateway> {
    const keys = await GatewayKeys.load(options.stateDir);
    return new EgressGateway(keys, options);
  }

  /** Task-contract calls go to the control plane through `relay` (the worker's client). */
  setTaskRelay(relay: TaskRelay): void {
    this.taskRelay = relay;
  }

  /** A new desired state: the next request is decided by it; connections it ends are closed. */
  update(desired: DesiredState): void {
    this.table.update(desired);
    for (const listener of this.listeners.values()) listener.proxy.revisit();
  }

  /** The identity and placeholders for an agent's container (the driver puts them in its env). */
  access(
    tenantId: string,
    agentId: string,
    generation: number,
    placeholderEnvs: string[],
  ): AgentGatewayAccess {
    return {
      username: agentId,
      token: this.keys.token(tenantId, agentId, generation),
      placeholders: Object.fromEntries(
        placeholderEnvs.map((env) => [env, this.keys.placeholder(tenantId, agentId, env)]),
      ),
    };
  }

  /**
   * Makes the tenant's door exist: the CA bundle agents trust and a listener on the socket
   * the driver leads to. Idempotent; a socket removed with its folder is listened on again.
   */
  async ensureTenant(
    tenantId: string,
    tenantSlug: string,
    endpoint: GatewayEndpoint,
  ): Promise<void> {
    const ca = await this.caFor(tenantId, tenantSlug);
    const bundle = `${ca.certificatePem.trim()}\n${rootCertificates.join("\n")}\n`;
    const current = existsSync(endpoint.caBundlePath)
      ? await readFile(endpoint.caBundlePath, "utf8").catch(() => "")
      : "";
    if (current !== bundle) await writeFile(endpoint.caBundlePath, bundle, { mode: 0o644 });

    const existing = this.listeners.get(tenantId);
    if (
      existing &&
      existing.endpoint.socketPath === endpoint.socketPath &&
      existsSync(endpoint.socketPath)
    )
      return;
    if (existing) await this.closeTenant(tenantId, { keepCa: true });
    const proxy = new TenantProxy(tenantId, ca, {
      table: this.table,
      keys: this.keys,
      resolver: this.resolver,
      recorder: this.recorder,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      tasks: {
        relay: (...call) => {
          if (!this.taskRelay)
            throw new UnreachableError("the worker has not reached the control plane yet");
          return this.taskRelay.relay(...call);
        },
      },
      log: this.options.log,
    });
    await rm(endpoint.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      proxy.server.once("error", reject);
      proxy.server.listen(endpoint.socketPath, () => {
        proxy.server.off("error", reject);
        resolve();
      });
    });
    this.listeners.set(tenantId, { proxy, endpoint });
  }

  /** Closes the tenant's door and forgets it (its CA stays on disk unless it is destroyed). */
  async closeTenant(tenantId: string, options: { keepCa?: boolean } = {}): Promise<void> {
    const listener = this.listeners.get(tenantId);
    this.listeners.delete(tenantId);
    if (listener) {
      listener.proxy.server.closeAllConnections();
      await new Promise<void>((resolve) => listener.proxy.server.close(() => resolve()));
      await rm(listener.endpoint.socketPath, { force: true });
    }
    if (!options.keepCa) {
      this.cas.delete(tenantId);
      await rm(this.caDir(tenantId), { recursive: true, force: true });
    }
  }

  /** Tenants with an open door. */
  tenants(): string[] {
    return [...this.listeners.keys()];
  }

  async close(): Promise<void> {
    for (const tenantId of this.tenants()) await this.closeTenant(tenantId, { keepCa: true });
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private caDir(tenantId: string): string {
    const key = createHash("sha256").update(tenantId).digest("hex").slice(0, 24);
    return path.join(this.options.stateDir, "gateway-ca", key);
  }

  private caFor(tenantId: string, tenantSlug: string): Promise<TenantCa> {
    let ca = this.cas.get(tenantId);
    if (!ca) {
      ca = TenantCa.load(this.caDir(tenantId), tenantSlug);
      ca.catch(() => this.cas.delete(tenantId));
      this.cas.set(tenantId, ca);
    }
    return ca;
  }
}
