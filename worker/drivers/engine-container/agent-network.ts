// Inside a sandbox: the internal network agents join, and the firewall rule that makes
// "internal" mean it. An internal network only drops forwarded traffic; the rule also refuses
// what agents send to the sandbox itself (its gateway address and every other address it has).
import type Docker from "dockerode";
import { ensureNetwork } from "./host-network.ts";
import { AGENT_BRIDGE, AGENT_NETWORK, DRIVER_NAME, GATEWAY_PORT, LABEL } from "./names.ts";

/** The agents' network's own address (its first), where they reach the gateway. */
export function networkGateway(subnet: string): string {
  const [network] = subnet.split("/");
  const parts = (network ?? "").split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
    throw new Error(`agent subnet ${subnet} is not an IPv4 range`);
  parts[3] = (parts[3] as number) + 1;
  return parts.join(".");
}

import type { SandboxShell } from "./run-exec.ts";

export async function ensureAgentNetwork(
  engine: Docker,
  tenantId: string,
  subnet: string,
  driver: string = DRIVER_NAME,
): Promise<void> {
  const network = await ensureNetwork(engine, {
    Name: AGENT_NETWORK,
    Driver: "bridge",
    Internal: true,
    IPAM: { Driver: "default", Config: [{ Subnet: subnet, Gateway: networkGateway(subnet) }] },
    Options: { "com.docker.network.bridge.name": AGENT_BRIDGE },
    Labels: { [LABEL.tenant]: tenantId, [LABEL.driver]: driver },
  });
  // Never attach agents to a network that lets them out.
  if (!network.Internal || network.Options?.["com.docker.network.bridge.name"] !== AGENT_BRIDGE) {
    throw new Error(
      `network ${AGENT_NETWORK} in the sandbox of ${tenantId} is not the internal ${AGENT_BRIDGE} bridge`,
    );
  }
}

/**
 * The sandbox's firewall for agents: everything they send to the sandbox itself is refused
 * (`INPUT -i <bridge> -j REJECT`) except the gateway's one port on their network's address,
 * accepted above it. The sandbox's entrypoint sets both at start; this repairs them, putting
 * the accept back on top (if the reject came back first, the door stays shut meanwhile).
 */
export async function ensureGatewayRule(
  sandbox: SandboxShell,
  gatewayAddress: string,
): Promise<void> {
  const reject = `INPUT -i ${AGENT_BRIDGE} -j REJECT`;
  const accept = `INPUT -i ${AGENT_BRIDGE} -d ${gatewayAddress} -p tcp --dport ${GATEWAY_PORT} -j ACCEPT`;
  const script = [
    `iptables -C ${reject} 2>/dev/null || iptables -I ${reject}`,
    // The first rule for the bridge must be the accept (iptables -S prints it reordered).
    `if ! iptables -S INPUT | grep -m1 -e '-i ${AGENT_BRIDGE}' | grep -q -e '--dport ${GATEWAY_PORT} -j ACCEPT'; then`,
    `  iptables -D ${accept} 2>/dev/null; iptables -I ${accept}`,
    "fi",
  ].join("\n");
  const result = await sandbox(["sh", "-c", script]);
  if (result.exitCode !== 0) {
    throw new Error(`could not close the sandbox gateway to agents: ${result.output.trim()}`);
  }
}
