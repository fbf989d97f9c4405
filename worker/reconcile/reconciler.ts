// observe → diff → act, for every sandbox this host should run. Each action is idempotent and
// runs on its own: one failing agent does not hold up the others. What a pass met (problems,
// ready sandboxes) is rebuilt by every full pass, and for its tenants by a partial one: a
// problem lasts exactly as long as the actions that met it keep failing, and leaves with the
// agent that had it.

import pLimit from "p-limit";
import { describeError } from "../../common/errors.ts";
import { reconcileErrors, reconcileSeconds } from "../../common/metrics.ts";
import type { DesiredAgent, DesiredState } from "../../common/worker-protocol.ts";
import type { AgentGatewayAccess, GatewayEndpoint, SandboxDriver } from "../drivers/driver.ts";
import {
  type AgentAction,
  diffAgents,
  diffSandboxes,
  type SandboxAction,
  wrongWall,
} from "./diff.ts";

/** The egress gateway as reconcile uses it: a door per ready sandbox, an identity per agent. */
export interface TenantDoors {
  ensureTenant(tenantId: string, tenantSlug: string, endpoint: GatewayEndpoint): Promise<void>;
  closeTenant(tenantId: string): Promise<void>;
  tenants(): string[];
  access(
    tenantId: string,
    agentId: string,
    generation: number,
    placeholderEnvs: string[],
  ): AgentGatewayAccess;
}

/** Sandboxes a pass walks at once. */
const sandboxesAtOnce = 4;

export class Reconciler {
  desired: DesiredState | null = null;
  /** Why an agent could not be made as asked at the last pass, by agent id. */
  agentProblems = new Map<string, string>();
  /** Why a sandbox could not be made ready at the last pass, by tenant id. */
  sandboxProblems = new Map<string, string>();
  /** Tenants whose sandbox was ready at the last pass. */
  readyTenants = new Set<string>();
  /**
   * Tenants some pass has walked since this worker started: until then nothing is known of
   * them (after a restart their agents are still running), so nothing is reported.
   */
  walkedTenants = new Set<string>();
  /** What the pass under way has met so far; it replaces the above when the pass ends. */
  private met = { agents: new Map<string, string>(), sandboxes: new Map<string, string>() };

  constructor(
    private readonly driver: SandboxDriver,
    private readonly log: (line: string) => void,
    /** Without a gateway, agents get no way out at all. */
    private readonly doors?: TenantDoors,
    private readonly options: { warmStarts?: boolean } = {},
  ) {}

  /**
   * One pass over every sandbox, or, with `only`, over those tenants alone: a change to one
   * tenant's desired state should not wait on a walk through every sandbox on the host.
   */
  async pass(only?: ReadonlySet<string>): Promise<void> {
    const desired = this.desired;
    if (!desired) return;
    const timer = reconcileSeconds().startTimer();
    try {
      await this.converge(desired, only);
    } finally {
      timer();
      reconcileErrors().inc(this.met.agents.size + this.met.sandboxes.size);
    }
  }

  private async converge(desired: DesiredState, only?: ReadonlySet<string>): Promise<void> {
    this.met = { agents: new Map(), sandboxes: new Map() };
    const inScope = (tenantId: string) => !only || only.has(tenantId);
    const desiredHere = desired.sandboxes.filter((s) => inScope(s.tenantId));
    const listed = async () =>
      (await this.driver.listSandboxes(only)).filter((s) => inScope(s.tenantId));
    const sandboxes = await listed();
    const sandboxActions = diffSandboxes(desiredHere, sandboxes);
    for (const action of sandboxActions) await this.applySandbox(action);
    const wanted = new Map(desired.sandboxes.map((s) => [s.tenantId, s]));
    // Listed again only if a sandbox was touched: a start's pass pings its engine once.
    const after = sandboxActions.length === 0 ? sandboxes : await listed();
    const ready = new Set(
      after
        .filter((s) => {
          const d = wanted.get(s.tenantId);
          return s.ready && !(d && wrongWall(d, s));
        })
        .map((s) => s.tenantId),
    );
    const readyNow = new Set<string>();
    // Sandboxes side by side (their agents' actions in order within each): a change that
    // arrives during a full pass waits for it, and on a host of 40 sandboxes a pass one by
    // one kept a start waiting about 150 ms (#15). Every sandbox is walked, even past a
    // failure, before the pass ends.
    const limit = pLimit(sandboxesAtOnce);
    const walks = await Promise.allSettled(
      desiredHere.map((sandbox) =>
        limit(async () => {
          if (!ready.has(sandbox.tenantId)) return;
          if (!(await this.openDoor(sandbox.tenantId, sandbox.tenantSlug))) return;
          readyNow.add(sandbox.tenantId);
          const observed = await this.driver.listAgents(sandbox.tenantId);
          const agents = new Map(sandbox.agents.map((a) => [a.agentId, a]));
          const actions = diffAgents(sandbox.tenantId, sandbox.agents, observed, this.options);
          for (const action of actions) await this.applyAgent(action, agents);
        }),
      ),
    );
    const failed = walks.find((w): w is PromiseRejectedResult => w.status === "rejected");
    if (failed) throw failed.reason;
    // A tenant that left this host: its door closes and its secrets are forgotten.
    for (const tenantId of this.doors?.tenants() ?? []) {
      if (inScope(tenantId) && !wanted.has(tenantId)) await this.doors?.closeTenant(tenantId);
    }
    for (const sandbox of desiredHere) this.walkedTenants.add(sandbox.tenantId);
    if (!only) {
      this.readyTenants = readyNow;
      this.agentProblems = this.met.agents;
      this.sandboxProblems = this.met.sandboxes;
      return;
    }
    // A partial pass replaces what is known of its tenants and leaves the rest as it was.
    const agentsOf = new Set(
      desired.sandboxes.filter((s) => only.has(s.tenantId)).flatMap((s) => s.agents),
    );
    const agentIds = new Set([...agentsOf].map((a) => a.agentId));
    this.readyTenants = new Set([
      ...[...this.readyTenants].filter((t) => !only.has(t)),
      ...readyNow,
    ]);
    this.agentProblems = new Map([
      ...[...this.agentProblems].filter(([id]) => !agentIds.has(id)),
      ...this.met.agents,
    ]);
    this.sandboxProblems = new Map([
      ...[...this.sandboxProblems].filter(([t]) => !only.has(t)),
      ...this.met.sandboxes,
    ]);
  }

  /** The tenant's gateway door; agents are made only behind an open one. */
  private async openDoor(tenantId: string, tenantSlug: string): Promise<boolean> {
    if (!this.doors) return true;
    try {
      await this.doors.ensureTenant(tenantId, tenantSlug, this.driver.gatewayEndpoint(tenantId));
      return true;
    } catch (error) {
      const problem = `egress gateway: ${describeError(error)}`;
      this.met.sandboxes.set(tenantId, problem);
      this.log(`sandbox ${tenantSlug}: ${problem}`);
      return false;
    }
  }

  /** The agent's spec with its gateway identity and placeholders (new for each generation). */
  private withGateway(action: AgentAction & { kind: "createAgent" }, desired?: DesiredAgent) {
    const spec = action.spec;
    if (!this.doors) return spec;
    const envs = (desired?.grants ?? []).flatMap((g) =>
      g.placeholderEnv ? [g.placeholderEnv] : [],
    );
    return {
      ...spec,
      gateway: this.doors.access(spec.tenantId, spec.agentId, spec.generation, envs),
    };
  }

  private async applySandbox(action: SandboxAction) {
    const tenantId = action.kind === "ensureSandbox" ? action.spec.tenantId : action.tenantId;
    try {
      if (action.kind === "ensureSandbox") {
        this.log(`sandbox ${action.spec.tenantSlug}: creating`);
        await this.driver.ensureSandbox(action.spec);
      } else {
        this.log(`sandbox ${tenantId}: removing (no longer placed here)`);
        await this.driver.destroySandbox(tenantId);
      }
    } catch (error) {
      const problem = describeError(error);
      this.met.sandboxes.set(tenantId, problem);
      this.log(`sandbox ${tenantId}: ${action.kind} failed: ${problem}`);
    }
  }

  private async applyAgent(action: AgentAction, desired: Map<string, DesiredAgent>) {
    const agentId = action.kind === "createAgent" ? action.spec.agentId : action.agentId;
    const tenantId = action.kind === "createAgent" ? action.spec.tenantId : action.tenantId;
    try {
      if (action.kind === "createAgent")
        await this.driver.createAgent(this.withGateway(action, desired.get(agentId)));
      else if (action.kind === "startAgent") await this.driver.startAgent(tenantId, agentId);
      else if (action.kind === "stopAgent") await this.driver.stopAgent(tenantId, agentId);
      else if (action.kind === "removeOldAgents")
        await this.driver.removeAgent(tenantId, agentId, { keepGeneration: action.keepGeneration });
      else await this.driver.removeAgent(tenantId, agentId, { purge: action.purge });
    } catch (error) {
      const problem = describeError(error);
      this.met.agents.set(agentId, problem);
      this.log(`agent ${agentId}: ${action.kind} failed: ${problem}`);
      // A container made before a crash may point at a network the sandbox has since
      // re-made; it can never start. Remove it so the next pass makes a fresh one.
      if (action.kind === "startAgent" && /network .* not found|no such network/i.test(problem)) {
        await this.driver.removeAgent(tenantId, agentId).catch(() => undefined);
      }
    }
  }
}
