// What the gateway knows about each tenant's agents, rebuilt from every desired state the
// worker receives: the policy to decide with, the grants to add, and the placeholders to
// swap. Replacing the table is one assignment, so a change applies to the next request.
import type { AgentEgress } from "../../common/egress-policy.ts";
import type { DesiredGrant, DesiredState } from "../../common/worker-protocol.ts";
import type { GatewayKeys } from "./credentials.ts";

export interface GatewayGrant extends DesiredGrant {
  /** The placeholder the agent holds for this grant's secret, if it asked for one. */
  placeholder: string | null;
}

export interface GatewayAgent {
  tenantId: string;
  agentId: string;
  name: string;
  generation: number;
  egress: AgentEgress;
  grants: GatewayGrant[];
}

export class PolicyTable {
  private agents = new Map<string, GatewayAgent>();

  constructor(private readonly keys: GatewayKeys) {}

  update(desired: DesiredState): void {
    const next = new Map<string, GatewayAgent>();
    for (const sandbox of desired.sandboxes) {
      for (const agent of sandbox.agents) {
        const grants = agent.grants.map((grant) => ({
          ...grant,
          placeholder: grant.placeholderEnv
            ? this.keys.placeholder(sandbox.tenantId, agent.agentId, grant.placeholderEnv)
            : null,
        }));
        next.set(`${sandbox.tenantId}\0${agent.agentId}`, {
          tenantId: sandbox.tenantId,
          agentId: agent.agentId,
          name: agent.name,
          generation: agent.generation,
          egress: {
            preset: agent.egress.preset,
            rules: agent.egress.rules,
            grantHosts: [...new Set(grants.flatMap((g) => g.hosts))],
            ceiling: sandbox.egressCeiling,
            quarantined: agent.egress.quarantined,
          },
          grants,
        });
      }
    }
    this.agents = next;
  }

  /** The agent, only if it belongs to this tenant: a token never reaches across tenants. */
  agent(tenantId: string, agentId: string): GatewayAgent | undefined {
    return this.agents.get(`${tenantId}\0${agentId}`);
  }
}
