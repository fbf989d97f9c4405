// The microvm driver on real QEMU (TCG here): tenants start from the golden snapshot, run
// hardened agents behind the real egress gateway, and are attacked from inside an agent; a
// cold boot, a worker that forgets everything, and destroy leaving nothing behind. The guest
// and the snapshot are cached (/var/cache/corral/microvm), so only the first run builds them.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { connect } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DesiredAgent, DesiredState } from "../../../common/worker-protocol.ts";
import { ensureGuestImage, type GuestImage } from "../../../infra/images/ensure-guest.ts";
import { ensureImages, tagImageAliases } from "../../../infra/images/ensure-images.ts";
import { connectEngine } from "../../engine/docker-engine.ts";
import { EgressGateway } from "../../gateway/gateway.ts";
import {
  desiredAgent,
  desiredSandbox,
  httpUpstream,
  type Upstream,
} from "../../gateway/test-kit.ts";
import { Reconciler } from "../../reconcile/reconciler.ts";
import { ensureApiKeys } from "./api-keys.ts";
import { cgroupVersion, qemuOverheadMb } from "./cgroup.ts";
import { engineClient, pingGuestEngine } from "./machine.ts";
import { MicrovmDriver } from "./microvm-driver.ts";
import { machineNames } from "./names.ts";
import { findMachine, listMachineProcesses } from "./qemu.ts";

const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const run = randomBytes(3).toString("hex");
const hostKey = `mvt-${run}`;
const tenantA = `mv-${run}-a`;
const tenantB = `mv-${run}-b`;
const coder = `coder-${run}`;
const other = `other-${run}`;
const idle = ["sh", "-c", "echo hello-from-the-guest; exec sleep 3600"];

let guest: GuestImage;
let agentBase: string;
let stateDir: string;
let driver: MicrovmDriver;
let gateway: EgressGateway;
let reconciler: Reconciler;
let upstream: Upstream;
let root: string;
let version = 0;

function state(): DesiredState {
  const allowLocal = {
    preset: "CUSTOM" as const,
    quarantined: false,
    rules: [{ action: "allow" as const, host: "localhost", ports: [], methods: [], paths: [] }],
  };
  return {
    version: ++version,
    sandboxes: [
      desiredSandbox(tenantA, [desiredAgent(coder, { command: idle, egress: allowLocal })]),
      desiredSandbox(tenantB, [desiredAgent(other, { command: idle, egress: allowLocal })]),
    ],
  };
}

async function apply(desired: DesiredState) {
  gateway.update(desired);
  reconciler.desired = desired;
  await reconciler.pass();
}

function inAgent(tenantId: string, agentId: string, script: string) {
  return driver.exec(tenantId, agentId, ["sh", "-c", script]);
}

function newDriver(options: { snapshots?: boolean } = {}) {
  return new MicrovmDriver(host, {
    stateDir,
    guest,
    hostKey,
    agentImageDefault: agentBase,
    accel: "auto",
    log: (line) => console.log(line),
    ...options,
  });
}

/** Does anything accept a TCP connection on this loopback port? */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

beforeAll(async () => {
  execFileSync("qemu-system-x86_64", ["--version"]);
  const images = await ensureImages(host, { log: (line) => console.log(line) });
  agentBase = images.agentBase;
  // The desired agents name the default image by its alias, as a worker's start tags it;
  // tagged here too, so this file passes when run alone.
  await tagImageAliases(host, images);
  guest = await ensureGuestImage(undefined, { log: (line) => console.log(line) });
  // Short: unix socket paths must fit in 107 bytes.
  root = await mkdtemp("/tmp/mvt-");
  stateDir = path.join(root, "vm");
  driver = newDriver();
  upstream = await httpUpstream();
  gateway = await EgressGateway.start({
    stateDir: path.join(root, "gw"),
    allowRanges: ["127.0.0.1/32"],
    log: () => {},
  });
  reconciler = new Reconciler(driver, (line) => console.log(line), gateway);
  await apply(state());
  await apply(state());
  for (const [tenant, agent] of [
    [tenantA, coder],
    [tenantB, other],
  ] as const) {
    const [observed] = (await driver.listAgents(tenant)).filter((a) => a.agentId === agent);
    if (observed?.state !== "running")
      throw new Error(
        `${agent} is ${observed?.state ?? "missing"}: ${[...reconciler.agentProblems.values(), ...reconciler.sandboxProblems.values()].join("; ")}`,
      );
  }
}, 600_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await driver?.destroySandbox(tenantA);
  await driver?.destroySandbox(tenantB);
  if (root) await rm(root, { recursive: true, force: true });
}, 60_000);

describe("a tenant in a microVM", () => {
  it("starts from the golden snapshot with its own kernel and engine", async () => {
    const start = driver.starts.get(tenantA);
    console.log(`microvm: tenant A ready ${JSON.stringify(start)}, accel ${await driver.accel()}`);
    expect(start?.from).toBe("snapshot");
    const sandboxes = await driver.listSandboxes();
    expect(sandboxes).toContainEqual({ tenantId: tenantA, ready: true });
    expect(sandboxes).toContainEqual({ tenantId: tenantB, ready: true });
    // Its own kernel: the guest's, not the host's.
    const kernel = await readFile(path.join(guest.dir, "kernel-version"), "utf8");
    const uname = await inAgent(tenantA, coder, "uname -r");
    expect(uname.output.trim()).toBe(kernel.trim());
    expect(uname.output.trim()).not.toBe(execFileSync("uname", ["-r"]).toString().trim());
    // The clock was set after the restore: the guest does not live at the snapshot's time.
    const date = await inAgent(tenantA, coder, "date +%s");
    expect(Math.abs(Number(date.output.trim()) - Date.now() / 1000)).toBeLessThan(30);
  });

  it("runs a hardened agent: its command's output reads back as logs, exec works", async () => {
    const logs = await driver.logs(tenantA, coder, { tail: 10 });
    expect(logs.map((line) => line.text)).toContain("hello-from-the-guest");
    const stats = await driver.stats(tenantA, coder);
    expect(stats.memoryLimitBytes).toBe(128 * 1024 * 1024);
    const disk = await driver.diskUsage(tenantA, [coder]);
    expect(disk.workspaces.get(coder)?.sizeBytes).toBeGreaterThan(0);
    expect(disk.workspaces.get(coder)?.sizeBytes).toBeLessThanOrEqual(64 * 1024 * 1024);
  });

  it("reaches the world only through the tenant's gateway, which decides by its policy", async () => {
    const allowed = await inAgent(
      tenantA,
      coder,
      `wget -q -O - 'http://localhost:${upstream.port}/through-the-guest' 2>&1`,
    );
    expect(allowed.exitCode).toBe(0);
    expect(upstream.seen.at(-1)?.url).toBe("/through-the-guest");
    const denied = await inAgent(
      tenantA,
      coder,
      `wget -q -S -O - 'http://127.0.0.1:${upstream.port}/' 2>&1`,
    );
    expect(denied.output).toMatch(/403/);
  });

  it("is contained: unprivileged, read-only, no engine, no route anywhere but the door", {
    timeout: 120_000,
  }, async () => {
    const who = await inAgent(
      tenantA,
      coder,
      "id -u; grep CapEff /proc/self/status; touch /probe 2>&1; echo root-write=$?; ls /var/run/docker.sock /run/engine/docker.sock 2>&1; echo sockets=$?",
    );
    expect(who.output).toMatch(/^65534$/m);
    expect(who.output).toMatch(/CapEff:\s+0000000000000000/);
    expect(who.output).toMatch(/root-write=1/);
    expect(who.output).toMatch(/sockets=[12]/);
    // Control: the same probe reaches the door, so "not exit=0" below means no way through.
    const door = await inAgent(tenantA, coder, "nc -w 2 10.213.0.1 3128 </dev/null; echo exit=$?");
    expect(door.output).toContain("exit=0");
    const apiPortB = Number(
      await readFile(machineNames(stateDir, hostKey, tenantB).portFile, "utf8"),
    );
    const targets = [
      "10.213.0.1 2376", // the guest itself, another port
      "10.0.2.15 2376", // the guest engine's TLS listener
      "10.0.2.2 22", // QEMU's alias for the host
      `10.0.2.2 ${apiPortB}`, // the host's loopback: another tenant's engine port
      `10.0.2.2 ${upstream.port}`, // the host's loopback: a service there
      "10.0.2.3 53", // QEMU's DNS
      "10.0.2.100 3128", // the gateway's forward, directly
      "172.17.0.1 2375", // the host engine's bridge
      "10.0.0.1 80", // private ranges
      "192.168.0.1 80",
      "1.1.1.1 443", // the internet
    ];
    for (const target of targets) {
      const attempt = await inAgent(tenantA, coder, `nc -w 2 ${target} </dev/null; echo exit=$?`);
      expect(attempt.output, target).not.toContain("exit=0");
    }
    const dns = await inAgent(tenantA, coder, "nslookup -type=a deb.debian.org 2>&1; echo exit=$?");
    expect(dns.output).not.toMatch(/Address: \d+\.\d+\.\d+\.\d+(?!:53)/);
  });

  it("draws its own random bytes: tenants restored from one snapshot do not share them", async () => {
    const draw = "head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n'";
    const [a, b] = await Promise.all([
      inAgent(tenantA, coder, draw),
      inAgent(tenantB, other, draw),
    ]);
    expect(a.output).toMatch(/^[0-9a-f]{64}$/);
    expect(b.output).toMatch(/^[0-9a-f]{64}$/);
    expect(a.output).not.toBe(b.output);
    expect(driver.starts.get(tenantB)?.from).toBe("snapshot");
  });

  it.runIf(cgroupVersion() !== "none")(
    "runs its QEMU in a control group of its own, limited to the tenant's quota",
    async () => {
      const names = machineNames(stateDir, hostKey, tenantA);
      const pid = await findMachine(names);
      const groups = await readFile(`/proc/${pid}/cgroup`, "utf8");
      expect(groups).toContain(`/corral-microvm/${names.processName}`);
      // desiredSandbox: 1 CPU, 1024 MiB; QEMU's own overhead on top.
      const memory = (1024 + qemuOverheadMb) * 1024 * 1024;
      if (cgroupVersion() === "v2") {
        const dir = `/sys/fs/cgroup/corral-microvm/${names.processName}`;
        expect((await readFile(`${dir}/memory.max`, "utf8")).trim()).toBe(String(memory));
        expect((await readFile(`${dir}/cpu.max`, "utf8")).trim()).toBe("100000 100000");
      } else {
        const group = (h: string) => `/sys/fs/cgroup/${h}/corral-microvm/${names.processName}`;
        const limit = await readFile(`${group("memory")}/memory.limit_in_bytes`, "utf8");
        expect(limit.trim()).toBe(String(memory));
        const quota = await readFile(`${group("cpu")}/cpu.cfs_quota_us`, "utf8");
        expect(quota.trim()).toBe("100000");
        const peak = await readFile(`${group("memory")}/memory.max_usage_in_bytes`, "utf8");
        console.log(`microvm: QEMU peak memory ${Math.round(Number(peak) / 2 ** 20)} MiB`);
      }
    },
  );

  it("serves its engine API to the worker's client certificate only", async () => {
    const names = machineNames(stateDir, hostKey, tenantA);
    const port = Number(await readFile(names.portFile, "utf8"));
    const own = await ensureApiKeys(names.tlsDir);
    expect(await pingGuestEngine(engineClient(port, own))).toBeNull();
    // Another tenant's keys, a client with no certificate: refused by the guest.
    const otherKeys = await ensureApiKeys(machineNames(stateDir, hostKey, tenantB).tlsDir);
    expect(
      await pingGuestEngine(engineClient(port, { ...otherKeys, serverCert: own.serverCert })),
    ).not.toBeNull();
    const bare = new (await import("dockerode")).default({
      protocol: "https",
      host: "127.0.0.1",
      port,
      ca: own.serverCert,
    });
    expect(await pingGuestEngine(bare)).not.toBeNull();
    // Its folder (keys, sockets, disk) is the worker's alone.
    expect(execFileSync("stat", ["-c", "%a", names.dir]).toString().trim()).toBe("700");
  });

  it("holds a stopped agent's next run in the guest (cgroup v2), and a start releases it", {
    timeout: 180_000,
  }, async () => {
    const spare = `spare-${run}`;
    const command = ["sh", "-c", "echo spare-ran; exec sleep 3600"];
    const withSpare = (over: Partial<DesiredAgent>) => {
      const desired = state();
      desired.sandboxes[0]?.agents.push(desiredAgent(spare, { command, ...over }));
      return desired;
    };
    let t0 = performance.now();
    await apply(withSpare({ desiredState: "STOPPED", generation: 1 }));
    console.log(`microvm: next run held in ${Math.round(performance.now() - t0)} ms`);
    const spareOf = async () =>
      (await driver.listAgents(tenantA)).filter((agent) => agent.agentId === spare);
    expect(await spareOf()).toEqual([
      expect.objectContaining({ generation: 2, state: "running", held: true, limitsPending: true }),
    ]);
    expect(await driver.logs(tenantA, spare, {})).toEqual([]);

    t0 = performance.now();
    await apply(withSpare({ desiredState: "RUNNING", generation: 2 }));
    console.log(`microvm: held run released in ${Math.round(performance.now() - t0)} ms`);
    let lines: string[] = [];
    for (let attempt = 0; attempt < 50 && !lines.includes("spare-ran"); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      lines = (await driver.logs(tenantA, spare, {})).map((line) => line.text);
    }
    expect(lines).toContain("spare-ran");
    expect(await spareOf()).toEqual([
      expect.objectContaining({ generation: 2, state: "running", held: true }),
    ]);
    expect((await spareOf())[0]?.limitsPending).toBeUndefined();
    await apply(state());
  });

  it("is found again by a worker that forgot everything (restart after kill -9)", async () => {
    // A guest's control channel takes one worker at a time: the old one lets go, as a dead
    // worker's would.
    driver.close();
    const fresh = newDriver();
    expect(await fresh.listSandboxes()).toContainEqual({ tenantId: tenantA, ready: true });
    const agents = await fresh.listAgents(tenantA);
    expect(agents).toContainEqual(expect.objectContaining({ agentId: coder, state: "running" }));
    // ensureSandbox on a running machine keeps it (no restart).
    await fresh.ensureSandbox({ tenantId: tenantA, tenantSlug: tenantA, cpus: 1, memoryMb: 1024 });
    expect(fresh.starts.get(tenantA)?.from).toBe("running");
    fresh.close();
  });
});

describe("a cold boot, and destroy", () => {
  it("boots cold without a snapshot, and destroy leaves no process, file, socket or port", {
    timeout: 300_000,
  }, async () => {
    const cold = newDriver({ snapshots: false });
    const tenantC = `mv-${run}-c`;
    const names = machineNames(stateDir, hostKey, tenantC);
    await cold.ensureSandbox({ tenantId: tenantC, tenantSlug: tenantC, cpus: 1, memoryMb: 1024 });
    console.log(`microvm: cold boot ${JSON.stringify(cold.starts.get(tenantC))}`);
    expect(cold.starts.get(tenantC)?.from).toBe("cold");
    expect(await cold.listSandboxes()).toContainEqual({ tenantId: tenantC, ready: true });
    const port = Number(await readFile(names.portFile, "utf8"));
    expect(await accepts(port)).toBe(true);
    expect([...(await listMachineProcesses(names.processName)).keys()]).toEqual([
      names.processName,
    ]);

    await cold.destroySandbox(tenantC);
    expect(await listMachineProcesses(names.processName)).toEqual(new Map());
    expect(existsSync(`/sys/fs/cgroup/memory/corral-microvm/${names.processName}`)).toBe(false);
    expect(existsSync(`/sys/fs/cgroup/corral-microvm/${names.processName}`)).toBe(false);
    expect(existsSync(names.dir)).toBe(false);
    expect(await accepts(port)).toBe(false);
    expect((await cold.listSandboxes()).map((s) => s.tenantId)).not.toContain(tenantC);
    // Nothing of C anywhere in the state folder (other tenants' folders remain).
    expect(await readdir(stateDir)).not.toContain(path.basename(names.dir));
  });
});

describe("a worker killed mid-provision", () => {
  it("leaves nothing behind once the next worker has reconciled: no QEMU, disk, socket, port or group", {
    timeout: 300_000,
  }, async () => {
    const tenantK = `mv-${run}-k`;
    const names = machineNames(stateDir, hostKey, tenantK);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "start-child.ts")],
      {
        env: {
          ...process.env,
          START_TENANT: tenantK,
          START_STATE_DIR: stateDir,
          START_HOST_KEY: hostKey,
          START_AGENT_IMAGE: agentBase,
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let said = "";
    child.stdout.on("data", (chunk: Buffer) => {
      said += chunk.toString();
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Its QEMU is up and has its port, its guest not yet provisioned: kill the worker there.
    let port = Number.NaN;
    for (let i = 0; i < 1200 && Number.isNaN(port); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if ((await findMachine(names)) === null) continue;
      port = Number.parseInt(await readFile(names.portFile, "utf8").catch(() => ""), 10);
    }
    child.kill("SIGKILL");
    await exited;
    expect(said).not.toContain("started");
    expect(Number.isNaN(port)).toBe(false);
    const pid = await findMachine(names);
    expect(pid, "QEMU outlives its worker").not.toBeNull();
    expect(existsSync(names.disk)).toBe(true);

    // The next worker: the tenant is no longer placed here, so reconcile removes it.
    const next = newDriver();
    const nextReconciler = new Reconciler(next, (line) => console.log(line));
    nextReconciler.desired = { version: 1, sandboxes: [] };
    await nextReconciler.pass();
    next.close();
    expect(await listMachineProcesses(names.processName)).toEqual(new Map());
    expect(existsSync(names.dir)).toBe(false);
    expect(await accepts(port)).toBe(false);
    expect(existsSync(`/sys/fs/cgroup/memory/corral-microvm/${names.processName}`)).toBe(false);
    expect(existsSync(`/sys/fs/cgroup/corral-microvm/${names.processName}`)).toBe(false);
  });
});
