// Run by bench/tasks.ts in its own process: the worker side of the task contract, as a worker
// host runs it, apart from the control plane. It is the real thing, not a stand-in: the
// host's ControlPlaneClient with its enrolled credential, the desired state fetched from the
// control plane's worker API (and followed by long-poll, as the worker's watch loop does),
// and an EgressGateway whose task relay is that client, listening on each tenant's socket.
// Prints one JSON line {sockets: {tenantId: path}, tokens: {agentId: token}} once the
// tenants' doors are open, and closes when its stdin ends (the parent is done, or gone).
// Usage: tasks-gateway-child <folder> <control plane URL> <host credential>
import path from "node:path";
import { ControlPlaneClient } from "../worker/control-plane/client.ts";
import { EgressGateway } from "../worker/gateway/gateway.ts";

const [dir, controlPlaneUrl, credential] = process.argv.slice(2);
if (!dir || !controlPlaneUrl || !credential)
  throw new Error("usage: tasks-gateway-child <folder> <control plane URL> <host credential>");

const client = new ControlPlaneClient(controlPlaneUrl);
client.credential = credential;
const gateway = await EgressGateway.start({
  stateDir: path.join(dir, "state"),
  log: (line) => process.stderr.write(`gateway: ${line}\n`),
});
// As the fleet agent does once the host has its identity: agents' calls go out as this host.
gateway.setTaskRelay(client);
const desired = await client.desired(-1, 0);
if (!desired) throw new Error("the control plane sent no desired state");
gateway.update(desired);

const sockets: Record<string, string> = {};
const tokens: Record<string, string> = {};
for (const sandbox of desired.sandboxes) {
  const socketPath = path.join(dir, `${sandbox.tenantSlug}.sock`);
  await gateway.ensureTenant(sandbox.tenantId, sandbox.tenantSlug, {
    socketPath,
    caBundlePath: path.join(dir, `${sandbox.tenantSlug}-ca.pem`),
  });
  sockets[sandbox.tenantId] = socketPath;
  // What the sandbox driver puts in each agent container's environment.
  for (const agent of sandbox.agents)
    tokens[agent.agentId] = gateway.access(
      sandbox.tenantId,
      agent.agentId,
      agent.generation,
      [],
    ).token;
}

// The worker's watch loop: later changes reach the gateway as they would on a host.
const stopped = new AbortController();
void (async () => {
  let version = desired.version;
  while (!stopped.signal.aborted) {
    const next = await client.desired(version, 20).catch(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return null;
    });
    if (stopped.signal.aborted) return;
    if (!next) continue;
    version = next.version;
    gateway.update(next);
  }
})();

console.log(JSON.stringify({ sockets, tokens }));
process.stdin.resume();
process.stdin.once("end", async () => {
  stopped.abort();
  await gateway.close();
  process.exit(0);
});
