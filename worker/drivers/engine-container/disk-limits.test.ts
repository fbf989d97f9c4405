// Disk limits against the real engine, probed from inside: an agent writes past its workspace,
// a container in a tenant's private engine writes past the sandbox's storage, and what stops
// them is ENOSPC at the size asked for, while another tenant (and the host) go on unharmed.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureImages } from "../../../infra/images/ensure-images.ts";
import { connectEngine } from "../../engine/docker-engine.ts";
import { type AgentSpec, AgentSpecError } from "../driver.ts";
import { EngineContainerDriver } from "./engine-container-driver.ts";
import { sandboxNames } from "./names.ts";

const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const run = randomBytes(4).toString("hex");
const hostKey = `disk-${run}`;
const tenantA = `disk-${run}-a`;
const tenantB = `disk-${run}-b`;
const agentA = `${run}-a1`;
const agentB = `${run}-b1`;
const MiB = 1024 * 1024;
/** Small, so filling it is quick; each sandbox reserves this much of the host's disk. */
const storageMb = 600;
const workspaceMb = 64;

let driver: EngineContainerDriver;
let stateDir: string;
let agentImage: string;

function agentSpec(tenantId: string, agentId: string, overrides: Partial<AgentSpec> = {}) {
  return {
    tenantId,
    agentId,
    name: agentId,
    generation: 1,
    image: agentImage,
    command: ["sh", "-c", "exec sleep 3600"],
    env: {},
    cpus: 0.5,
    memoryMb: 128,
    pids: 64,
    workspaceMb,
    ...overrides,
  } satisfies AgentSpec;
}

/** Runs a shell script inside the agent's container, as the agent's own user. */
function inAgent(tenantId: string, agentId: string, script: string) {
  return driver.exec(tenantId, agentId, ["sh", "-c", script]);
}

/** Writes 1 MiB blocks to `file` until told to stop or refused; answers the bytes written. */
async function fill(tenantId: string, agentId: string, file: string, maxMb: number) {
  const result = await inAgent(
    tenantId,
    agentId,
    `dd if=/dev/zero of=${file} bs=1M count=${maxMb} 2>&1; echo "exit=$?"; wc -c < ${file}`,
  );
  const written = Number(result.output.trim().split("\n").at(-1));
  return { output: result.output, written };
}

beforeAll(async () => {
  const images = await ensureImages(host, { log: (line) => console.log(line) });
  agentImage = images.agentBase;
  const runtimes = Object.keys(((await host.info()).Runtimes as object | undefined) ?? {});
  stateDir = await mkdtemp(path.join(tmpdir(), "corral-disk-"));
  driver = new EngineContainerDriver(host, {
    runtime: runtimes.includes("runc-privfix") ? "runc-privfix" : "runc",
    stateDir,
    hostKey,
    sandboxImage: images.sandboxEngine,
    agentImageDefault: images.agentBase,
    storageMb,
  });
  for (const [tenantId, agentId] of [
    [tenantA, agentA],
    [tenantB, agentB],
  ] as const) {
    await driver.ensureSandbox({ tenantId, tenantSlug: tenantId, cpus: 1, memoryMb: 1024 });
    await driver.createAgent(agentSpec(tenantId, agentId));
    await driver.startAgent(tenantId, agentId);
  }
}, 300_000);

afterAll(async () => {
  await driver?.destroySandbox(tenantA);
  await driver?.destroySandbox(tenantB);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 60_000);

describe("disk limits", () => {
  it("an agent writing past its workspace gets ENOSPC near workspaceMb, and the tenant's storage does not grow", async () => {
    const before = await driver.diskUsage(tenantA, [agentA]);
    const { output, written } = await fill(tenantA, agentA, "/workspace/fill", 4 * workspaceMb);
    console.log(`workspace of ${workspaceMb} MiB took ${(written / MiB).toFixed(1)} MiB`);
    expect(output).toContain("No space left on device");
    expect(output).not.toContain("exit=0");
    // The filesystem's own overhead (journal, inode tables) takes a little of the size.
    expect(written).toBeLessThanOrEqual(workspaceMb * MiB);
    expect(written).toBeGreaterThan(0.8 * workspaceMb * MiB);

    // Its space was reserved in the store when the agent was made: filling it takes no more.
    const after = await driver.diskUsage(tenantA, [agentA]);
    expect(Math.abs((after.store?.usedBytes ?? 0) - (before.store?.usedBytes ?? 0))).toBeLessThan(
      2 * MiB,
    );
    const workspace = after.workspaces.get(agentA);
    expect(workspace?.sizeBytes).toBeLessThanOrEqual(workspaceMb * MiB);
    expect(workspace?.usedBytes).toBeGreaterThan(0.8 * workspaceMb * MiB);

    // Deleting frees it again.
    await inAgent(tenantA, agentA, "rm /workspace/fill");
    expect(
      (await driver.diskUsage(tenantA, [agentA])).workspaces.get(agentA)?.usedBytes,
    ).toBeLessThan(MiB);
  });

  it("a container filling its sandbox's storage stops at the sandbox's size; the host file and the other tenant are unharmed", async () => {
    const engineA = new Docker({ socketPath: sandboxNames(stateDir, hostKey, tenantA).socketPath });
    // A tenant's image writing into its own root filesystem, as a build or a cache would.
    const filler = await engineA.createContainer({
      name: `filler-${run}`,
      Image: agentImage,
      User: "0:0",
      Cmd: [
        "sh",
        "-c",
        `dd if=/dev/zero of=/fill bs=1M count=${2 * storageMb} 2>&1; echo "exit=$?"; wc -c < /fill`,
      ],
    });
    try {
      await filler.start();
      const { StatusCode } = await filler.wait();
      const logs = ((await filler.logs({ stdout: true, stderr: true })) as Buffer).toString(
        "latin1",
      );
      const written = Number(
        logs
          .trim()
          .split("\n")
          .at(-1)
          ?.replace(/[^0-9]/g, ""),
      );
      console.log(
        `sandbox storage of ${storageMb} MiB: the filler wrote ${(written / MiB).toFixed(1)} MiB`,
      );
      expect(StatusCode).toBe(0);
      expect(logs).toContain("No space left on device");
      expect(written).toBeLessThan(storageMb * MiB);
      // Full, bar what ext4 keeps back for its own metadata.
      const store = (await driver.diskUsage(tenantA, [])).store;
      expect((store?.usedBytes ?? 0) / (store?.sizeBytes ?? 1)).toBeGreaterThan(0.96);

      // On the host the sandbox is one file of exactly the size asked for, fully reserved.
      const volume = await host
        .getVolume(sandboxNames(stateDir, hostKey, tenantA).volume)
        .inspect();
      const image = await stat(path.join(volume.Mountpoint, "engine.img"));
      expect(image.size).toBe(storageMb * MiB);
      expect(image.blocks * 512).toBeLessThanOrEqual(storageMb * MiB + MiB);

      // Its agent's workspace was reserved before the store filled: it still takes writes.
      const own = await fill(tenantA, agentA, "/workspace/after-full", 8);
      expect(own.output).toContain("exit=0");
      expect(own.written).toBe(8 * MiB);
      // And another tenant is untouched.
      const other = await fill(tenantB, agentB, "/workspace/other", 16);
      expect(other.output).toContain("exit=0");
      expect(other.written).toBe(16 * MiB);
      const otherStore = (await driver.diskUsage(tenantB, [])).store;
      expect(otherStore && otherStore.sizeBytes - otherStore.usedBytes).toBeGreaterThan(
        (storageMb - 2 * workspaceMb) * MiB * 0.8,
      );
    } finally {
      await filler.remove({ force: true });
    }
  });

  it("a workspace that does not fit in the storage is refused; a larger workspaceMb grows it and keeps its files", async () => {
    await expect(
      driver.createAgent(agentSpec(tenantB, `${run}-huge`, { workspaceMb: storageMb * 2 })),
    ).rejects.toThrow(AgentSpecError);

    await inAgent(tenantB, agentB, "echo kept > /workspace/note");
    await driver.createAgent(agentSpec(tenantB, agentB, { generation: 2, workspaceMb: 128 }));
    await driver.startAgent(tenantB, agentB);
    expect((await inAgent(tenantB, agentB, "cat /workspace/note")).output).toBe("kept\n");
    const size = (await driver.diskUsage(tenantB, [agentB])).workspaces.get(agentB)?.sizeBytes;
    expect(size).toBeGreaterThan(0.85 * 128 * MiB);
    expect(size).toBeLessThanOrEqual(128 * MiB);
  });
});
