// Attacks from inside real agent containers, in real sandboxes, against the real gateway: an
// agent that wants the key, wants out some other way, or wants another tenant's grant. The
// worker's own parts run here (driver, reconciler, gateway); upstreams listen on loopback.
// Each "cannot" is paired with a control showing that the same probe detects a "can".

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DesiredGrant, DesiredState } from "../../common/worker-protocol.ts";
import { ensureImages } from "../../infra/images/ensure-images.ts";
import { testSandboxStorageMb } from "../../test/fleet.ts";
import { EngineContainerDriver } from "../drivers/engine-container/index.ts";
import { sandboxNames } from "../drivers/engine-container/names.ts";
import { connectEngine } from "../engine/docker-engine.ts";
import { Reconciler } from "../reconcile/reconciler.ts";
import { EgressGateway } from "./gateway.ts";
import { desiredAgent, desiredSandbox, httpUpstream, type Upstream } from "./test-kit.ts";

const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const run = randomBytes(3).toString("hex");
const tenantA = `probe-${run}-a`;
const tenantB = `probe-${run}-b`;
const secretValue = `sk-ant-probe-${randomBytes(18).toString("hex")}`;
const rotatedValue = `sk-ant-rotated-${randomBytes(18).toString("hex")}`;
/** Runs until the probes exec into it. */
const idle = ["sh", "-c", "exec sleep 3600"];

let driver: EngineContainerDriver;
let gateway: EgressGateway;
let reconciler: Reconciler;
let upstream: Upstream;
let root: string;
let version = 0;

function grant(value: string, versionNo: number): DesiredGrant {
  return {
    grantId: `grant-${run}`,
    secretId: `secret-${run}`,
    secretName: "ANTHROPIC",
    version: versionNo,
    value,
    hosts: ["localhost"],
    pathPrefix: null,
    headerName: "x-api-key",
    headerTemplate: "{value}",
    placeholderEnv: "ANTHROPIC_API_KEY",
  };
}

/** A: `coder` granted the key for localhost; B: `intruder`, with no grant of its own. */
function state(
  over: { value?: string; version?: number; quarantined?: boolean } = {},
): DesiredState {
  return {
    version: ++version,
    sandboxes: [
      desiredSandbox(tenantA, [
        desiredAgent(`coder-${run}`, {
          command: idle,
          egress: { preset: "MODEL_PROVIDER", rules: [], quarantined: over.quarantined ?? false },
          grants: [grant(over.value ?? secretValue, over.version ?? 1)],
        }),
      ]),
      desiredSandbox(tenantB, [
        desiredAgent(`intruder-${run}`, {
          command: idle,
          egress: {
            preset: "CUSTOM",
            quarantined: false,
            rules: [{ action: "allow", host: "localhost", ports: [], methods: [], paths: [] }],
          },
        }),
      ]),
    ],
  };
}

async function apply(desired: DesiredState) {
  gateway.update(desired);
  reconciler.desired = desired;
  await reconciler.pass();
}

const coder = `coder-${run}`;
const intruder = `intruder-${run}`;

/** Runs a shell script inside the agent, as the agent's own user. */
async function inAgent(tenantId: string, agentId: string, script: string) {
  return driver.exec(tenantId, agentId, ["sh", "-c", script]);
}

beforeAll(async () => {
  const images = await ensureImages(host, { log: (line) => console.log(line) });
  const runtimes = Object.keys(((await host.info()).Runtimes as object | undefined) ?? {});
  root = await mkdtemp(path.join(tmpdir(), "corral-probe-"));
  driver = new EngineContainerDriver(host, {
    runtime: runtimes.includes("runc-privfix") ? "runc-privfix" : "runc",
    stateDir: path.join(root, "sbx"),
    hostKey: `probe-${run}`,
    storageMb: testSandboxStorageMb,
    sandboxImage: images.sandboxEngine,
    agentImageDefault: images.agentBase,
  });
  upstream = await httpUpstream();
  // The upstreams listen on loopback: the operator allows that range here, as a lab would.
  gateway = await EgressGateway.start({
    stateDir: path.join(root, "state"),
    allowRanges: ["127.0.0.1/32"],
    log: () => {},
  });
  reconciler = new Reconciler(driver, (line) => console.log(line), gateway);
  await apply(state());
  // A pass makes sandboxes, then agents; the second finds them made and starts what is left.
  await apply(state());
  for (const [tenant, agent] of [
    [tenantA, coder],
    [tenantB, intruder],
  ] as const) {
    const [observed] = (await driver.listAgents(tenant)).filter((a) => a.agentId === agent);
    if (observed?.state !== "running")
      throw new Error(
        `${agent} is ${observed?.state ?? "missing"}: ${[...reconciler.agentProblems.values()].join("; ")}`,
      );
  }
}, 300_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await driver?.destroySandbox(tenantA);
  await driver?.destroySandbox(tenantB);
  if (root) await rm(root, { recursive: true, force: true });
}, 60_000);

const fetchCmd = (url: string) => `wget -q -S -O - '${url}' 2>&1`;

describe("an agent behind the egress gateway", () => {
  it("gets its model calls through with the real key added outside, and finds no trace of the key", {
    timeout: 120_000,
  }, async () => {
    const call = await inAgent(
      tenantA,
      coder,
      `wget -q -O - --header "x-api-key: $ANTHROPIC_API_KEY" 'http://localhost:${upstream.port}/v1/messages' 2>&1`,
    );
    expect(call.exitCode).toBe(0);
    expect(upstream.seen.at(-1)?.headers["x-api-key"]).toBe(secretValue);
    // The upstream echoed its request back: the key is masked in what the agent receives.
    expect(call.output).toContain('"x-api-key"');
    expect(call.output).not.toContain(secretValue);

    // Everywhere an agent could look: its environment, every process's, files, the CA bundle.
    const search = await inAgent(
      tenantA,
      coder,
      [
        "env",
        "cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'",
        "cat /etc/corral/ca-bundle.pem | head -3",
        // Every file on the agent's filesystems (root, workspace, tmp), not /proc or /sys.
        `{ find / -xdev -type f; find /workspace /tmp -type f; } 2>/dev/null | xargs grep -l '${secretValue.slice(0, 24)}' 2>/dev/null || echo no-file-holds-it`,
      ].join("; "),
    );
    expect(search.output).toContain("ANTHROPIC_API_KEY=corral-placeholder-");
    expect(search.output).toContain("HTTPS_PROXY=http://");
    expect(search.output).toContain("BEGIN CERTIFICATE");
    expect(search.output).toContain("no-file-holds-it");
    expect(search.output).not.toContain(secretValue);
    // Its logs neither.
    const logs = await driver.logs(tenantA, coder, { tail: 1000 });
    expect(JSON.stringify(logs)).not.toContain(secretValue);
  });

  it("is refused a host its policy does not name, with a clear 403 that is recorded", async () => {
    gateway.recorder.drain();
    const denied = await inAgent(tenantA, coder, fetchCmd(`http://127.0.0.1:${upstream.port}/`));
    expect(denied.exitCode).not.toBe(0);
    expect(denied.output).toMatch(/403/);
    const { decisions } = gateway.recorder.drain();
    expect(decisions).toContainEqual(
      expect.objectContaining({ agentId: coder, allowed: false, host: "127.0.0.1" }),
    );
  });

  it("has no way out but the gateway: no direct TCP, no UDP, no DNS", {
    timeout: 60_000,
  }, async () => {
    const names = sandboxNames(path.join(root, "sbx"), `probe-${run}`, tenantA);
    const sandbox = await host.getContainer(names.container).inspect();
    const bridge = sandbox.NetworkSettings.Networks[names.network];
    // The other tenant's sandbox: its bridge is the next /28 of the same pool (sandbox-subnets.ts).
    const namesB = sandboxNames(path.join(root, "sbx"), `probe-${run}`, tenantB);
    const bridgeB = (await host.getContainer(namesB.container).inspect()).NetworkSettings.Networks[
      namesB.network
    ];
    // Control: the same nc method reaches the gateway's port, so "refused" below means refused.
    const control = await inAgent(
      tenantA,
      coder,
      "nc -w 2 10.213.0.1 3128 </dev/null; echo exit=$?",
    );
    expect(control.output).toContain("exit=0");
    const targets = [
      `10.213.0.1 ${upstream.port}`, // the sandbox itself, other port
      `${bridge?.Gateway} ${upstream.port}`, // the host, on the sandbox's bridge
      `${bridge?.IPAddress} 2375`, // the sandbox's outer address
      `${bridgeB?.IPAddress} 3128`, // the other tenant's sandbox, on its outer address
      `${bridgeB?.Gateway} ${upstream.port}`, // the host, on the other tenant's bridge
      `1.1.1.1 443`, // the internet, directly
    ];
    for (const target of targets) {
      const attempt = await inAgent(tenantA, coder, `nc -w 2 ${target} </dev/null; echo exit=$?`);
      expect(attempt.output, target).not.toContain("exit=0");
    }
    const udp = await inAgent(tenantA, coder, "echo x | nc -u -w 1 1.1.1.1 53; echo exit=$?");
    expect(udp.output).not.toMatch(/^x$/m);
    // DNS: a name the host's resolver answers does not resolve from the agent...
    const dnsProbe = "nslookup -type=a deb.debian.org 2>&1; echo exit=$?";
    const agentDns = await inAgent(tenantA, coder, dnsProbe);
    expect(agentDns.output).not.toMatch(/Address: \d+\.\d+\.\d+\.\d+(?!:53)/);
    // ...while a container of the same sandbox with the engine's default DNS does resolve it:
    // the probe would have seen the leak.
    const engine = (await import("dockerode")).default;
    const inner = new engine({ socketPath: names.socketPath });
    const leaky = await inner.createContainer({
      Image: (await inner.listImages()).find((i) =>
        i.RepoTags?.some((t) => t.startsWith("corral/agent-base")),
      )?.Id,
      Cmd: ["sh", "-c", dnsProbe],
      HostConfig: { NetworkMode: "corral-agents" },
    });
    await leaky.start();
    await leaky.wait();
    const leakyLogs = (await leaky.logs({ stdout: true, stderr: true })).toString();
    await leaky.remove({ force: true });
    expect(leakyLogs).toMatch(/Address: \d+\.\d+\.\d+\.\d+/);
  });

  it("cannot use another tenant's grant, even holding that agent's token", async () => {
    const token = gateway.access(tenantA, coder, 1, []).token;
    const stolen = `http://${coder}:${token}@10.213.0.1:3128`;
    const attempt = await inAgent(
      tenantB,
      intruder,
      `http_proxy=${stolen} ${fetchCmd(`http://localhost:${upstream.port}/v1/messages`)}`,
    );
    expect(attempt.output).toMatch(/407/);
    // With its own token it gets through (its policy allows localhost) but carries no key.
    const own = await inAgent(
      tenantB,
      intruder,
      fetchCmd(`http://localhost:${upstream.port}/v1/own`),
    );
    expect(own.exitCode).toBe(0);
    expect(upstream.seen.at(-1)?.url).toBe("/v1/own");
    expect(upstream.seen.at(-1)?.headers["x-api-key"]).toBeUndefined();
  });

  it("uses a rotated key on the next request, without a restart", async () => {
    await apply(state({ value: rotatedValue, version: 2 }));
    const call = await inAgent(
      tenantA,
      coder,
      fetchCmd(`http://localhost:${upstream.port}/v1/after-rotation`),
    );
    expect(call.exitCode).toBe(0);
    expect(upstream.seen.at(-1)?.headers["x-api-key"]).toBe(rotatedValue);
  });

  it("is refused from the very next request once quarantined", async () => {
    gateway.update(state({ value: rotatedValue, version: 2, quarantined: true }));
    const call = await inAgent(
      tenantA,
      coder,
      fetchCmd(`http://localhost:${upstream.port}/v1/after-quarantine`),
    );
    expect(call.output).toMatch(/403/);
    const { decisions } = gateway.recorder.drain();
    expect(decisions.at(-1)).toMatchObject({
      agentId: coder,
      allowed: false,
      reason: "the agent is quarantined",
    });
    expect(upstream.seen.some((r) => r.url === "/v1/after-quarantine")).toBe(false);
  });
});
