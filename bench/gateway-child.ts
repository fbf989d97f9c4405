// Run by bench/gateway.ts in its own process. On a worker host the gateway is apart from the
// agents that call it, so here too: load generator and gateway compete for the CPUs as they
// would there, and the RSS the parent reads is the gateway's alone.
// Starts an EgressGateway with one tenant and one agent on the model-provider preset, with a
// grant for `localhost` that adds `x-api-key` (so every request takes the realistic path:
// token check, policy, name resolution, secret added, answer scrubbed), prints one JSON line
// {socketPath, agentId, token}, and closes when its stdin ends (the parent is done, or gone).
// Process warnings (the parent starts it with --no-warnings) come as {warning} lines after
// that, once per kind with where in the gateway it was raised, so the report can name them.
// Usage: gateway-child <folder> <secret value>
import path from "node:path";
import { EgressGateway } from "../worker/gateway/gateway.ts";
import { desiredAgent, desiredSandbox } from "../worker/gateway/test-kit.ts";

const [dir, secret] = process.argv.slice(2);
if (!dir || !secret) throw new Error("usage: gateway-child <folder> <secret value>");
const tenantId = "bench";
const agentId = "bench-agent";
const socketPath = path.join(dir, "gateway.sock");

const gateway = await EgressGateway.start({
  stateDir: path.join(dir, "state"),
  // The upstream is on loopback, which the gateway refuses unless the operator allows it.
  allowRanges: ["127.0.0.0/8"],
  log: (line) => process.stderr.write(`${line}\n`),
});
gateway.update({
  version: 1,
  sandboxes: [
    desiredSandbox(tenantId, [
      desiredAgent(agentId, {
        egress: { preset: "MODEL_PROVIDER", rules: [], quarantined: false },
        grants: [
          {
            grantId: "bench-grant",
            secretId: "bench-secret",
            secretName: "MODEL_KEY",
            version: 1,
            value: secret,
            hosts: ["localhost"],
            pathPrefix: null,
            headerName: "x-api-key",
            headerTemplate: "{value}",
            placeholderEnv: null,
          },
        ],
      }),
    ]),
  ],
});
await gateway.ensureTenant(tenantId, tenantId, {
  socketPath,
  caBundlePath: path.join(dir, "ca-bundle.pem"),
});
// The worker drains the recorder into its report every 2 s; without that the gateway would
// run with full buffers, which is not how it runs.
const reports = setInterval(() => gateway.recorder.drain(), 2000);

console.log(
  JSON.stringify({ socketPath, agentId, token: gateway.access(tenantId, agentId, 1, []).token }),
);
const warned = new Set<string>();
process.on("warning", (warning) => {
  if (warned.has(warning.name)) return;
  warned.add(warning.name);
  const where = warning.stack?.split("\n").find((frame) => frame.includes("worker/gateway/"));
  const at = where?.trim().replace(/\(.*?(worker\/gateway\/[^)]*)\)/, "($1)");
  console.log(
    JSON.stringify({ warning: `${warning.name}: ${warning.message}${at ? ` ${at}` : ""}` }),
  );
});
process.stdin.resume();
process.stdin.once("end", async () => {
  clearInterval(reports);
  await gateway.close();
  // A normal exit, so `node --cpu-prof` writes its profile.
  process.exit(0);
});
