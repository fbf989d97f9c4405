// The engine-container driver against the real host engine: two tenants' sandboxes, shared by
// the tests in this file, each with a private engine. No mocks: isolation is proven by trying
// to break it from inside an agent.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureImages } from "../../../infra/images/ensure-images.ts";
import { testSandboxStorageMb } from "../../../test/fleet.ts";
import { connectEngine } from "../../engine/docker-engine.ts";
import { type AgentSpec, AgentSpecError, type SandboxSpec } from "../driver.ts";
import { AgentNotFoundError } from "./agents-in-engine.ts";
import { EngineContainerDriver } from "./engine-container-driver.ts";
import { AGENT_NETWORK, agentLabels, LABEL, sandboxNames, workspaceVolumeName } from "./names.ts";
import { runExec, type SandboxShell } from "./run-exec.ts";
import { ensureWorkspace, removeWorkspace } from "./workspace.ts";

const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const run = randomBytes(4).toString("hex");
const tenantA = `test-${run}-a`;
const tenantB = `test-${run}-b`;
const hostKey = `test-${run}`;
const listenerPort = 7000;
/** A TCP service on the host, on all addresses, as a leak through a gateway would find. */
let hostService: Server;
let hostPort: number;

let driver: EngineContainerDriver;
let stateDir: string;
let agentImage: string;
/** Hosts without CAP_SYS_RESOURCE need runc-privfix for privileged containers (STACK.md). */
let runtime: string;

function sandboxSpec(tenantId: string): SandboxSpec {
  return { tenantId, tenantSlug: tenantId, cpus: 1, memoryMb: 1024 };
}

function agentSpec(tenantId: string, agentId: string, overrides: Partial<AgentSpec> = {}) {
  return {
    tenantId,
    agentId,
    name: agentId,
    generation: 1,
    image: agentImage,
    command: ["sh", "-c", "echo started; exec sleep 3600"],
    env: { GREETING: "hello" },
    cpus: 0.5,
    memoryMb: 128,
    pids: 64,
    workspaceMb: 100,
    ...overrides,
  } satisfies AgentSpec;
}

function privateEngine(tenantId: string): Docker {
  return new Docker({ socketPath: sandboxNames(stateDir, hostKey, tenantId).socketPath });
}

function sandboxContainer(tenantId: string): Docker.Container {
  return host.getContainer(sandboxNames(stateDir, hostKey, tenantId).container);
}

/** The sandbox container's address on its host network, and that network's gateway. */
async function hostAddresses(tenantId: string) {
  const info = await sandboxContainer(tenantId).inspect();
  const network = info.NetworkSettings.Networks[sandboxNames(stateDir, hostKey, tenantId).network];
  if (!network) throw new Error(`sandbox of ${tenantId} is not on its network`);
  return { ip: network.IPAddress, gateway: network.Gateway };
}

async function agentAddress(tenantId: string, containerName: string): Promise<string> {
  const info = await privateEngine(tenantId).getContainer(containerName).inspect();
  return info.NetworkSettings.Networks[AGENT_NETWORK]?.IPAddress ?? "";
}

/**
 * A TCP listener in the sandbox's own network namespace (where a leak would land): a helper
 * container on the private engine's host network. The sandbox image has no listener tool.
 */
async function listenInSandbox(tenantId: string): Promise<void> {
  const engine = privateEngine(tenantId);
  const listener = await engine.createContainer({
    name: "test-listener",
    Image: agentImage,
    Cmd: ["sh", "-c", `while true; do echo hello | nc -l -p ${listenerPort}; done`],
    HostConfig: { NetworkMode: "host" },
  });
  await listener.start();
  // Ready when the sandbox itself can connect.
  const probe = `echo > /dev/tcp/127.0.0.1/${listenerPort}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = await runExec(sandboxContainer(tenantId), ["bash", "-c", probe]);
    if (result.exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("listener did not come up");
}

/** Tries a TCP connection from inside an agent; true when it got the listener's greeting. */
async function agentCanConnect(tenantId: string, agentId: string, address: string, port: number) {
  const result = await driver.exec(tenantId, agentId, [
    "sh",
    "-c",
    `nc -w 2 ${address} ${port} </dev/null`,
  ]);
  return result.exitCode === 0 && result.output.includes("hello");
}

async function hostResourcesOf(tenantId: string) {
  const filters = { label: [`${LABEL.tenant}=${tenantId}`] };
  const [containers, volumes, networks] = await Promise.all([
    host.listContainers({ all: true, filters }),
    host.listVolumes({ filters }),
    host.listNetworks({ filters }),
  ]);
  return { containers, volumes: volumes.Volumes ?? [], networks };
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(2)} s`;
}

beforeAll(async () => {
  const images = await ensureImages(host, { log: (line) => console.log(line) });
  agentImage = images.agentBase;
  const runtimes = Object.keys(((await host.info()).Runtimes as object | undefined) ?? {});
  runtime =
    process.env.CORRAL_SANDBOX_RUNTIME ??
    (runtimes.includes("runc-privfix") ? "runc-privfix" : "runc");
  stateDir = await mkdtemp(path.join(tmpdir(), "corral-sbx-"));
  driver = new EngineContainerDriver(host, {
    runtime,
    stateDir,
    hostKey,
    storageMb: testSandboxStorageMb,
    sandboxImage: images.sandboxEngine,
    agentImageDefault: images.agentBase,
  });

  for (const tenantId of [tenantA, tenantB]) {
    const started = performance.now();
    await driver.ensureSandbox(sandboxSpec(tenantId));
    console.log(`sandbox ${tenantId} ready in ${seconds(started)}`);
  }
  for (const [tenantId, agentId] of [
    [tenantA, "a1"],
    [tenantA, "a2"],
    [tenantB, "b1"],
  ] as const) {
    const started = performance.now();
    await driver.createAgent(agentSpec(tenantId, `${run}-${agentId}`));
    await driver.startAgent(tenantId, `${run}-${agentId}`);
    console.log(`agent ${agentId} created and started in ${seconds(started)}`);
  }
  await listenInSandbox(tenantA);
  await listenInSandbox(tenantB);
  hostService = createServer((socket) => {
    // Probes hang up at once; their resets are expected.
    socket.on("error", () => {});
    socket.end("hello\n");
  });
  await new Promise<void>((resolve) => hostService.listen(0, "0.0.0.0", resolve));
  hostPort = (hostService.address() as AddressInfo).port;
}, 300_000);

afterAll(async () => {
  hostService?.close();
  await driver?.destroySandbox(tenantA);
  await driver?.destroySandbox(tenantB);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 60_000);

const a1 = `${run}-a1`;
const a2 = `${run}-a2`;
const b1 = `${run}-b1`;

describe("engine-container driver", () => {
  it("fingerprints the host: healthy with its runtime, not with a missing one", async () => {
    const print = await driver.fingerprint();
    expect(print).toMatchObject({
      driver: "engine-container",
      healthy: true,
      labels: { driver: "engine-container", microvm: "false", runtime },
    });
    expect(print.capacity.cpus).toBeGreaterThan(0);
    expect(print.capacity.memoryMb).toBeGreaterThan(0);

    const missing = new EngineContainerDriver(host, {
      hostKey,
      storageMb: testSandboxStorageMb,
      runtime: "no-such-runtime",
      stateDir,
      sandboxImage: "unused",
      agentImageDefault: "unused",
    });
    const unhealthy = await missing.fingerprint();
    expect(unhealthy.healthy).toBe(false);
    expect(unhealthy.reason).toContain("no-such-runtime");
  });

  it("gives each tenant its own engine: A's agents are invisible to B", async () => {
    const inA = (await driver.listAgents(tenantA)).map((agent) => agent.agentId).sort();
    const inB = (await driver.listAgents(tenantB)).map((agent) => agent.agentId);
    expect(inA).toEqual([a1, a2]);
    expect(inB).toEqual([b1]);

    // Straight from the engines: B's engine has no container of A, the host none of either.
    const namesInB = (await privateEngine(tenantB).listContainers({ all: true })).flatMap(
      (container) => container.Names,
    );
    expect(namesInB.some((name) => name.includes(a1))).toBe(false);
    const agentsOnHost = await host.listContainers({
      all: true,
      filters: { label: [LABEL.agent] },
    });
    expect(agentsOnHost.filter((c) => c.Labels[LABEL.tenant]?.startsWith(`test-${run}`))).toEqual(
      [],
    );

    const sandboxes = (await driver.listSandboxes()).filter((s) => s.tenantId.includes(run));
    expect(sandboxes.sort((x, y) => x.tenantId.localeCompare(y.tenantId))).toEqual([
      { tenantId: tenantA, ready: true },
      { tenantId: tenantB, ready: true },
    ]);
    // Asked about one tenant, it looks at that one's engine alone.
    expect(await driver.listSandboxes(new Set([tenantB]))).toEqual([
      { tenantId: tenantB, ready: true },
    ]);
  });

  it("lets an agent reach its own team but not the sandbox, the host or another tenant", async () => {
    // The listener and the probe work: a1 reaches a2's listener on the agents' network.
    const teammate = privateEngine(tenantA).getContainer(`corral-agent-${a2}-g1`);
    await runExec(teammate, [
      "sh",
      "-c",
      `(echo hello | nc -l -p ${listenerPort}) >/dev/null 2>&1 &`,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const a2Address = await agentAddress(tenantA, `corral-agent-${a2}-g1`);
    expect(await agentCanConnect(tenantA, a1, a2Address, listenerPort)).toBe(true);

    const sandboxA = await hostAddresses(tenantA);
    const sandboxB = await hostAddresses(tenantB);
    // Unreachable addresses that drop rather than refuse take nc's whole timeout: try at once.
    const reached = await Promise.all([
      // The gateway leak: the sandbox's own addresses, as seen from its agents.
      agentCanConnect(tenantA, a1, "10.213.0.1", listenerPort),
      agentCanConnect(tenantA, a1, sandboxA.ip, listenerPort),
      // Past the sandbox: a service on the host (at the sandbox network's gateway), which the
      // sandbox itself can reach, and the other tenant's sandbox.
      agentCanConnect(tenantA, a1, sandboxA.gateway, hostPort),
      agentCanConnect(tenantA, a1, sandboxB.ip, listenerPort),
    ]);
    expect(reached).toEqual([false, false, false, false]);

    // Even a sandbox (privileged, so a compromised one counts) cannot reach another's, nor
    // the host's services (its bridge is fenced on the host); its own loopback works, which
    // shows the probe connects when something listens.
    const probe = async (address: string, port: number) => {
      const command = ["timeout", "3", "bash", "-c", `echo > /dev/tcp/${address}/${port}`];
      return (await runExec(sandboxContainer(tenantA), command)).exitCode === 0;
    };
    expect(
      await Promise.all([
        probe(sandboxB.ip, listenerPort),
        probe("127.0.0.1", listenerPort),
        probe(sandboxA.gateway, hostPort),
      ]),
    ).toEqual([false, true, false]);
  }, 60_000);

  it("closes the gateway only thanks to the firewall rule, and ensureSandbox puts it back", async () => {
    const sandbox = sandboxContainer(tenantA);
    const rule = ["INPUT", "-i", "corral-agents", "-j", "REJECT"];
    expect((await runExec(sandbox, ["iptables", "-D", ...rule])).exitCode).toBe(0);
    expect(await agentCanConnect(tenantA, a1, "10.213.0.1", listenerPort)).toBe(true);

    await driver.ensureSandbox(sandboxSpec(tenantA));
    expect(await agentCanConnect(tenantA, a1, "10.213.0.1", listenerPort)).toBe(false);
    const rules = await runExec(sandbox, ["iptables", "-S", "INPUT"]);
    expect(rules.output.match(/-i corral-agents -j REJECT/g)).toHaveLength(1);
  });

  it("runs agents hardened: non-root, no capabilities, read-only, limited, no engine socket", async () => {
    const info = await privateEngine(tenantA).getContainer(`corral-agent-${a1}-g1`).inspect();
    expect(info.Config.User).toBe("65534:65534");
    expect(info.Config.Labels).toMatchObject({
      [LABEL.tenant]: tenantA,
      [LABEL.agent]: a1,
      [LABEL.generation]: "1",
    });
    expect(info.Config.Env).toContain("GREETING=hello");
    const config = info.HostConfig;
    expect(config.Privileged).toBe(false);
    expect(config.ReadonlyRootfs).toBe(true);
    expect(config.CapDrop).toEqual(["ALL"]);
    expect(config.CapAdd ?? []).toEqual([]);
    expect(config.SecurityOpt).toEqual(["no-new-privileges:true"]);
    expect(config.PidsLimit).toBe(64);
    expect(config.Memory).toBe(128 * 1024 * 1024);
    expect(config.MemorySwap).toBe(128 * 1024 * 1024);
    expect(config).toMatchObject({ CpuPeriod: 1_000_000, CpuQuota: 500_000 });
    expect(config.Init).toBe(true);
    expect(config.RestartPolicy).toMatchObject({ Name: "on-failure" });
    expect(config.NetworkMode).toBe(AGENT_NETWORK);
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([AGENT_NETWORK]);
    expect(config.Binds ?? []).toEqual([]);
    expect(info.Mounts.map((mount) => [mount.Type, mount.Destination])).toEqual([
      ["volume", "/workspace"],
    ]);
    expect(JSON.stringify(info)).not.toContain("docker.sock");

    // And from inside: what the process actually has.
    const status = await driver.exec(tenantA, a1, [
      "sh",
      "-c",
      "id -u; grep -E '^(CapEff|NoNewPrivs|Seccomp):' /proc/self/status",
    ]);
    expect(status.output).toMatch(/^65534\n/);
    expect(status.output).toMatch(/CapEff:\s+0000000000000000/);
    expect(status.output).toMatch(/NoNewPrivs:\s+1/);
    expect(status.output).toMatch(/Seccomp:\s+2/);
    expect((await driver.exec(tenantA, a1, ["touch", "/etc/x"])).exitCode).not.toBe(0);
    expect((await driver.exec(tenantA, a1, ["touch", "/workspace/x", "/tmp/x"])).exitCode).toBe(0);
  });

  it("nests the agents' cgroups under the sandbox container, whose limits are the quota", async () => {
    const sandboxId = (await sandboxContainer(tenantA).inspect()).Id;
    const cgroups = await driver.exec(tenantA, a1, ["cat", "/proc/self/cgroup"]);
    const memoryLine = cgroups.output.split("\n").find((line) => line.includes(":memory:"));
    expect(memoryLine).toContain(sandboxId);
    const sandbox = await sandboxContainer(tenantA).inspect();
    expect(sandbox.HostConfig).toMatchObject({
      Memory: 1024 * 1024 * 1024,
      NanoCpus: 1_000_000_000,
      Privileged: true,
      Runtime: runtime,
    });
  });

  it("puts an agent's CPU limit in force before its first instruction", async () => {
    const agentId = `${run}-cpu`;
    const container = privateEngine(tenantA).getContainer(`corral-agent-${agentId}-g1`);
    // The agent's first act is to read its own cgroup's quota and period (v1 files, or v2's
    // cpu.max): the limit must already be there, not set by an update after the start.
    const readLimit =
      "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us 2>/dev/null || tr ' ' '\\n' < /sys/fs/cgroup/cpu.max; exec sleep 3600";
    await driver.createAgent(agentSpec(tenantA, agentId, { command: ["sh", "-c", readLimit] }));
    expect((await container.inspect()).HostConfig).toMatchObject({
      CpuPeriod: 1_000_000,
      CpuQuota: 500_000,
    });
    await driver.startAgent(tenantA, agentId);
    let lines: string[] = [];
    for (let attempt = 0; attempt < 50 && lines.length < 2; attempt++) {
      lines = (await driver.logs(tenantA, agentId, {})).map((line) => line.text);
      if (lines.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // 0.5 CPU: half of each 1 s period.
    expect(lines).toEqual(["500000", "1000000"]);
    const observed = (await driver.listAgents(tenantA)).find((agent) => agent.agentId === agentId);
    expect(observed).toMatchObject({ state: "running" });
    expect(observed?.limitsPending).toBeUndefined();
    await driver.removeAgent(tenantA, agentId, { purge: true });
  });

  it("starts again a container made before the 1 s period, keeping its NanoCpus limit", async () => {
    // As an earlier version left it: limit on a label, NanoCpus set by its first start, stopped.
    const agentId = `${run}-legacy`;
    const engine = privateEngine(tenantA);
    const legacy = await engine.createContainer({
      name: `corral-agent-${agentId}-g1`,
      Image: agentImage,
      Cmd: ["sleep", "3600"],
      Labels: { ...agentLabels(tenantA, agentId, 1), [LABEL.cpuLimit]: "500000000" },
      HostConfig: { NanoCpus: 500_000_000, NetworkMode: "none" },
    });
    await driver.startAgent(tenantA, agentId);
    await driver.stopAgent(tenantA, agentId);
    // The engine refuses a period on a container with NanoCpus: the start must not fail on it.
    await driver.startAgent(tenantA, agentId);
    const info = await legacy.inspect();
    expect(info.State.Running).toBe(true);
    expect(info.HostConfig).toMatchObject({ NanoCpus: 500_000_000 });
    await driver.removeAgent(tenantA, agentId, { purge: true });
  });

  it("holds a stopped agent's next run started but before its process; a start releases it with its limit", async () => {
    const agentId = `${run}-held`;
    const engine = privateEngine(tenantA);
    const container = engine.getContainer(`corral-agent-${agentId}-g2`);
    // Each run notes itself in the workspace, then crashes: the engine's restarts run it too.
    const command = ["sh", "-c", "echo run | tee -a /workspace/runs; sleep 1; exit 3"];
    await driver.createAgent(agentSpec(tenantA, agentId, { generation: 2, command, hold: true }));
    const observed = async () =>
      (await driver.listAgents(tenantA)).find((agent) => agent.agentId === agentId);
    expect(await observed()).toMatchObject({ state: "running", held: true, limitsPending: true });
    const held = await container.inspect();
    expect(held.HostConfig.NanoCpus ?? 0).toBe(0);
    expect(held.HostConfig.CpuQuota ?? 0).toBe(0);
    // Read through the sandbox: the agent's command has not run, even when woken without its
    // limit (a stray signal) or asked to hold again.
    const { Mountpoint } = await engine.getVolume(workspaceVolumeName(agentId)).inspect();
    const runs = async () =>
      (
        await runExec(sandboxContainer(tenantA), [
          "sh",
          "-c",
          `cat ${Mountpoint}/runs 2>/dev/null || true`,
        ])
      ).output;
    await container.kill({ signal: "SIGUSR1" });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await driver.createAgent(agentSpec(tenantA, agentId, { generation: 2, command, hold: true }));
    expect(await runs()).toBe("");
    expect(await driver.logs(tenantA, agentId, {})).toEqual([]);
    expect((await container.inspect()).State).toMatchObject({
      Running: true,
      StartedAt: held.State.StartedAt,
    });

    // A neighbour of the same tenant, an agent itself, tries to wake it: from inside, it sees
    // no other container's processes, and its signals to every process reach only its own.
    const neighbour = `${run}-neighbour`;
    await driver.createAgent(agentSpec(tenantA, neighbour));
    await driver.startAgent(tenantA, neighbour);
    const seesPrelude = "ps -o args | grep -c '[c]orral-hold'";
    // The probe finds the prelude where it is visible: inside the held container itself.
    const inside = await driver.exec(tenantA, agentId, ["sh", "-c", seesPrelude]);
    expect(Number(inside.output.trim())).toBeGreaterThan(0);
    const probe = await driver.exec(tenantA, neighbour, [
      "sh",
      "-c",
      `${seesPrelude}; kill -USR1 -1 2>/dev/null; true`,
    ]);
    expect(probe.output.trim()).toBe("0");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await driver.logs(tenantA, agentId, {})).toEqual([]);
    await driver.removeAgent(tenantA, neighbour, { purge: true });

    await driver.startAgent(tenantA, agentId);
    // The workspace read above can see a run: the one just released writes there.
    for (let attempt = 0; attempt < 50 && !(await runs()).includes("run"); attempt++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await runs()).toContain("run");
    const released = await container.inspect();
    expect(released.State).toMatchObject({ Running: true, StartedAt: held.State.StartedAt });
    expect(released.HostConfig).toMatchObject({ CpuPeriod: 1_000_000, CpuQuota: 500_000 });
    // Reported as started now, not when it was held.
    const startedAt = (await observed())?.startedAt ?? "";
    expect(Date.parse(startedAt)).toBeGreaterThan(Date.parse(held.State.StartedAt));
    // After a crash the engine's restart runs the agent at once: its limit is in force.
    // (Counted in its logs, which outlive its restarts, unlike the workspace's mount.)
    const runsLogged = async () =>
      (await driver.logs(tenantA, agentId, {})).filter((line) => line.text === "run").length;
    for (let attempt = 0; attempt < 60 && (await runsLogged()) < 2; attempt++)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await runsLogged()).toBeGreaterThanOrEqual(2);
    expect((await observed())?.restartCount).toBeGreaterThanOrEqual(1);
    // The last run's words are shown, not the held container's silence.
    await driver.stopAgent(tenantA, agentId);
    await driver.createAgent(agentSpec(tenantA, agentId, { generation: 3, command, hold: true }));
    expect((await driver.listAgents(tenantA)).filter((a) => a.agentId === agentId)).toEqual([
      expect.objectContaining({ generation: 3, state: "running", limitsPending: true }),
      expect.objectContaining({ generation: 2, state: "exited" }),
    ]);
    expect((await driver.logs(tenantA, agentId, {})).length).toBeGreaterThan(0);
    await driver.removeAgent(tenantA, agentId, { purge: true });
  }, 60_000);

  it("leaves the next run of an image without a shell created: it cannot be held", async () => {
    const agentId = `${run}-noshell`;
    const engine = privateEngine(tenantA);
    const dir = await mkdtemp(path.join(tmpdir(), "corral-noshell-"));
    await writeFile(path.join(dir, "hello"), "not a program\n");
    const archive = path.join(dir, "image.tar");
    execFileSync("tar", ["-C", dir, "-cf", archive, "hello"]);
    const image = `corral-test-noshell:${run}`;
    const answer = await engine.importImage(archive, { repo: "corral-test-noshell", tag: run });
    await new Promise((resolve, reject) =>
      engine.modem.followProgress(answer, (e) => (e ? reject(e) : resolve(null))),
    );
    await rm(dir, { recursive: true });

    await driver.createAgent(
      agentSpec(tenantA, agentId, { image, command: ["/hello"], generation: 2, hold: true }),
    );
    const [next] = (await driver.listAgents(tenantA)).filter((a) => a.agentId === agentId);
    expect(next).toMatchObject({ generation: 2, state: "created" });
    expect(next?.held).toBeUndefined();
    await driver.removeAgent(tenantA, agentId, { purge: true });
    await engine.getImage(image).remove();
  });

  it("reports logs, stats and exec output", async () => {
    const logs = await driver.logs(tenantA, a1, { tail: 10 });
    expect(logs).toContainEqual(expect.objectContaining({ stream: "stdout", text: "started" }));
    expect(Date.parse(logs[0]?.at ?? "")).not.toBeNaN();
    expect(await driver.logs(tenantA, a1, { since: new Date(Date.now() + 60_000) })).toEqual([]);

    const stats = await driver.stats(tenantA, a1);
    expect(stats.memoryLimitBytes).toBe(128 * 1024 * 1024);
    expect(stats.memoryBytes).toBeGreaterThan(0);
    expect(stats.pids).toBeGreaterThan(0);
    expect(stats.cpuPercent).toBeGreaterThanOrEqual(0);

    // stdout and stderr are separate pipes: their relative order is not guaranteed.
    const result = await driver.exec(tenantA, a1, ["sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(result.exitCode).toBe(3);
    expect(result.output.split("\n").sort()).toEqual(["", "err", "out"]);
  });

  it("is idempotent: ensure and create twice make nothing twice; stop, start, remove repeat", async () => {
    await driver.ensureSandbox(sandboxSpec(tenantA));
    // A changed quota is applied to the running sandbox, then put back.
    await driver.ensureSandbox({ ...sandboxSpec(tenantA), cpus: 1.5, memoryMb: 1536 });
    expect((await sandboxContainer(tenantA).inspect()).HostConfig).toMatchObject({
      NanoCpus: 1_500_000_000,
      Memory: 1536 * 1024 * 1024,
    });
    await driver.ensureSandbox(sandboxSpec(tenantA));
    const resources = await hostResourcesOf(tenantA);
    expect(resources.containers).toHaveLength(1);
    expect(resources.volumes).toHaveLength(1);
    expect(resources.networks).toHaveLength(1);
    const agentNetworks = await privateEngine(tenantA).listNetworks({
      filters: { name: [AGENT_NETWORK] },
    });
    expect(agentNetworks).toHaveLength(1);

    const spec = agentSpec(tenantA, `${run}-twice`);
    await Promise.all([driver.createAgent(spec), driver.createAgent(spec)]);
    await driver.createAgent(spec);
    const twice = (await driver.listAgents(tenantA)).filter(
      (agent) => agent.agentId === spec.agentId,
    );
    expect(twice).toHaveLength(1);

    await driver.startAgent(tenantA, spec.agentId);
    await driver.startAgent(tenantA, spec.agentId);
    await driver.stopAgent(tenantA, spec.agentId);
    await driver.stopAgent(tenantA, spec.agentId);
    const [stopped] = (await driver.listAgents(tenantA)).filter((a) => a.agentId === spec.agentId);
    expect(stopped?.state).toBe("exited");
    await driver.removeAgent(tenantA, spec.agentId, { purge: true });
    await driver.removeAgent(tenantA, spec.agentId, { purge: true });
    await driver.stopAgent(tenantA, spec.agentId);
    await expect(driver.startAgent(tenantA, spec.agentId)).rejects.toThrow(AgentNotFoundError);
  }, 60_000);

  it("makes a workspace once in a sandbox's boot, again when it grows or the sandbox restarts", async () => {
    const commands: string[][] = [];
    const shell: SandboxShell = (command) => {
      commands.push(command);
      return runExec(sandboxContainer(tenantA), command);
    };
    const spec = agentSpec(tenantA, `${run}-boot`);
    const engine = privateEngine(tenantA);
    await ensureWorkspace(engine, shell, spec, undefined, "boot-1");
    await ensureWorkspace(engine, shell, { ...spec, generation: 2 }, undefined, "boot-1");
    expect(commands).toHaveLength(1);
    await ensureWorkspace(engine, shell, { ...spec, workspaceMb: 150 }, undefined, "boot-1");
    await ensureWorkspace(engine, shell, spec, undefined, "boot-2");
    // Without a boot to go by, every create asks the sandbox.
    await ensureWorkspace(engine, shell, spec);
    expect(commands.map((c) => c.slice(1, 4).join(" "))).toEqual([
      `workspace ${workspaceVolumeName(spec.agentId)} 100`,
      `workspace ${workspaceVolumeName(spec.agentId)} 150`,
      `workspace ${workspaceVolumeName(spec.agentId)} 100`,
      `workspace ${workspaceVolumeName(spec.agentId)} 100`,
    ]);
    await removeWorkspace(engine, shell, spec.agentId);
  });

  it("replaces the container on a new generation and keeps the workspace unless purged", async () => {
    const agentId = `${run}-gen`;
    await driver.createAgent(agentSpec(tenantA, agentId));
    await driver.startAgent(tenantA, agentId);
    await driver.exec(tenantA, agentId, ["sh", "-c", "echo kept > /workspace/note"]);

    await driver.createAgent(agentSpec(tenantA, agentId, { generation: 2 }));
    await driver.startAgent(tenantA, agentId);
    const generations = (await driver.listAgents(tenantA))
      .filter((agent) => agent.agentId === agentId)
      .map((agent) => [agent.generation, agent.state]);
    expect(generations).toEqual([[2, "running"]]);
    expect((await driver.exec(tenantA, agentId, ["cat", "/workspace/note"])).output).toBe("kept\n");

    // Clearing out old generations keeps the current one and its workspace.
    await driver.removeAgent(tenantA, agentId, { purge: true, keepGeneration: 2 });
    expect((await driver.exec(tenantA, agentId, ["cat", "/workspace/note"])).output).toBe("kept\n");

    await driver.removeAgent(tenantA, agentId);
    const engine = privateEngine(tenantA);
    expect(await engine.getVolume(workspaceVolumeName(agentId)).inspect()).toBeTruthy();
    await driver.removeAgent(tenantA, agentId, { purge: true });
    await expect(engine.getVolume(workspaceVolumeName(agentId)).inspect()).rejects.toThrow();
  });

  it("restarts a crashing agent with back-off and reports its exit", async () => {
    const agentId = `${run}-crash`;
    await driver.createAgent(
      agentSpec(tenantA, agentId, { command: ["sh", "-c", "echo boom; exit 3"] }),
    );
    await driver.startAgent(tenantA, agentId);
    let crashed: Awaited<ReturnType<typeof driver.listAgents>>[number] | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      [crashed] = (await driver.listAgents(tenantA)).filter((a) => a.agentId === agentId);
      // Between two crashes it runs for a moment, and a running container has no exit code.
      if ((crashed?.restartCount ?? 0) >= 2 && crashed?.exitCode !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(crashed?.restartCount).toBeGreaterThanOrEqual(2);
    expect(crashed?.exitCode).toBe(3);
    await driver.removeAgent(tenantA, agentId, { purge: true });
  });

  it("refuses an image that is neither on the host nor from an allowed registry, saying which", async () => {
    const error = await driver
      .createAgent(agentSpec(tenantA, `${run}-noimage`, { image: "corral/no-such-image:1" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentSpecError);
    expect((error as Error).message).toMatch(
      /^image corral\/no-such-image:1 is not on this host, and its registry docker\.io is not one this host pulls from \(none allowed\)/,
    );
  });

  it("accepts an image the sandbox already holds under another name", async () => {
    const alias = `corral/test-alias:${run}`;
    const [repo, tag] = alias.split(":") as [string, string];
    await host.getImage(agentImage).tag({ repo, tag });
    try {
      const agentId = `${run}-alias`;
      await driver.createAgent(agentSpec(tenantA, agentId, { image: alias }));
      const inSandbox = await privateEngine(tenantA).getImage(alias).inspect();
      expect(inSandbox.Id).toBe((await host.getImage(agentImage).inspect()).Id);
      await driver.removeAgent(tenantA, agentId, { purge: true });
    } finally {
      await host.getImage(alias).remove();
    }
  });

  it("uses the default agent image when the spec names none", async () => {
    const agentId = `${run}-default`;
    await driver.createAgent(agentSpec(tenantA, agentId, { image: "" }));
    const [container] = await privateEngine(tenantA).listContainers({
      all: true,
      filters: { label: [`${LABEL.agent}=${agentId}`] },
    });
    expect(container?.Image).toBe(agentImage);
    await driver.removeAgent(tenantA, agentId, { purge: true });
  });

  it("repairs a stopped sandbox or a lost socket, recreates a removed one, keeping its data", async () => {
    await sandboxContainer(tenantB).stop({ t: 1 });
    expect((await driver.listSandboxes()).find((s) => s.tenantId === tenantB)?.ready).toBe(false);
    await expect(driver.listAgents(tenantB)).rejects.toThrow(/not ready/);
    await driver.ensureSandbox(sandboxSpec(tenantB));
    expect((await driver.listAgents(tenantB)).map((agent) => agent.agentId)).toEqual([b1]);
    // The restart unmounted the workspaces: a new run's create mounts its own again.
    await driver.createAgent(agentSpec(tenantB, b1, { generation: 2 }));
    await driver.startAgent(tenantB, b1);
    expect((await driver.exec(tenantB, b1, ["touch", "/workspace/after-restart"])).exitCode).toBe(
      0,
    );

    // Its state folder deleted under it: the socket must come back on the host.
    await rm(sandboxNames(stateDir, hostKey, tenantB).stateDir, { recursive: true });
    await driver.ensureSandbox(sandboxSpec(tenantB));
    expect((await driver.listAgents(tenantB)).map((agent) => agent.agentId)).toEqual([b1]);

    await sandboxContainer(tenantB).remove({ force: true });
    await driver.ensureSandbox(sandboxSpec(tenantB));
    expect((await driver.listAgents(tenantB)).map((agent) => agent.agentId)).toEqual([b1]);
    const rules = await runExec(sandboxContainer(tenantB), ["iptables", "-S", "INPUT"]);
    expect(rules.output).toContain("-i corral-agents -j REJECT");
  }, 60_000);

  it("keeps drivers with different host keys apart on one engine, even for one tenant", async () => {
    const otherDir = await mkdtemp(path.join(tmpdir(), "corral-sbx-"));
    const other = new EngineContainerDriver(host, {
      hostKey: `${hostKey}-other`,
      storageMb: testSandboxStorageMb,
      runtime,
      stateDir: otherDir,
      sandboxImage: (await sandboxContainer(tenantA).inspect()).Config.Image,
      agentImageDefault: agentImage,
    });
    try {
      expect(await other.listSandboxes()).toEqual([]);
      // The tenant moved to the other "host": a second sandbox, its own engine, no agents yet.
      await other.ensureSandbox(sandboxSpec(tenantA));
      expect(await other.listAgents(tenantA)).toEqual([]);
      expect(await other.listSandboxes()).toEqual([{ tenantId: tenantA, ready: true }]);
      await other.destroySandbox(tenantA);
      expect((await driver.listAgents(tenantA)).length).toBeGreaterThan(0);
    } finally {
      await other.destroySandbox(tenantA);
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it("says why a sandbox whose engine never answers is not ready", async () => {
    const broken = new EngineContainerDriver(host, {
      hostKey,
      storageMb: testSandboxStorageMb,
      runtime,
      stateDir,
      // An image without dockerd: its container runs a shell that exits at once.
      sandboxImage: agentImage,
      agentImageDefault: agentImage,
      engineReadyTimeoutMs: 2000,
    });
    const tenantId = `test-${run}-broken`;
    try {
      await expect(broken.ensureSandbox(sandboxSpec(tenantId))).rejects.toThrow(
        /^sandbox engine did not answer within 2000 ms \(no engine socket at /,
      );
    } finally {
      await broken.destroySandbox(tenantId);
    }
    expect(await hostResourcesOf(tenantId)).toEqual({ containers: [], volumes: [], networks: [] });
  });

  it("destroys a sandbox without leaving anything labelled for its tenant", async () => {
    const names = sandboxNames(stateDir, hostKey, tenantB);
    await driver.destroySandbox(tenantB);
    await driver.destroySandbox(tenantB);
    expect(await hostResourcesOf(tenantB)).toEqual({ containers: [], volumes: [], networks: [] });
    expect(existsSync(names.stateDir)).toBe(false);
    expect((await driver.listSandboxes()).map((s) => s.tenantId)).not.toContain(tenantB);
    // The other tenant is untouched.
    expect((await driver.listAgents(tenantA)).length).toBeGreaterThan(0);
  });
});
