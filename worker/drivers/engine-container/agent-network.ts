// Inside a sandbox: the internal network agents join, and the firewall rule that makes
// "internal" mean it. An internal network only drops forwarded traffic; the rule also refuses
// what agents send to the sandbox itself (its gateway address and every other address it has).
import type Docker from "dockerode";
import { ensureNetwork } from "./host-network.ts";
import { AGENT_BRIDGE, AGENT_NETWORK, DRIVER_NAME, LABEL } from "./names.ts";
import { runExec } from "./run-exec.ts";

export async function ensureAgentNetwork(
  engine: Docker,
  tenantId: string,
  subnet: string,
): Promise<void> {
  const network = await ensureNetwork(engine, {
    Name: AGENT_NETWORK,
    Driver: "bridge",
    Internal: true,
    IPAM: { Driver: "default", Config: [{ Subnet: subnet }] },
    Options: { "com.docker.network.bridge.name": AGENT_BRIDGE },
    Labels: { [LABEL.tenant]: tenantId, [LABEL.driver]: DRIVER_NAME },
  });
  // Never attach agents to a network that lets them out.
  if (!network.Internal || network.Options?.["com.docker.network.bridge.name"] !== AGENT_BRIDGE) {
    throw new Error(
      `network ${AGENT_NETWORK} in the sandbox of ${tenantId} is not the internal ${AGENT_BRIDGE} bridge`,
    );
  }
}

/**
 * Inserts `INPUT -i <bridge> -j REJECT` in the sandbox's network namespace unless present.
 * The sandbox's entrypoint adds it at start too; this repairs it if it went missing.
 */
export async function ensureGatewayRule(sandbox: Docker.Container): Promise<void> {
  const rule = `INPUT -i ${AGENT_BRIDGE} -j REJECT`;
  const result = await runExec(sandbox, [
    "sh",
    "-c",
    `iptables -C ${rule} 2>/dev/null || iptables -I ${rule}`,
  ]);
  if (result.exitCode !== 0) {
    throw new Error(`could not close the sandbox gateway to agents: ${result.output.trim()}`);
  }
}
