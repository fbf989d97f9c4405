// `npm run down` removes the local worker's sandboxes from the host engine (and with
// --purge, the local data), and refuses while Corral is still up.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test/run-process.ts";
import { EngineContainerDriver } from "../../worker/drivers/engine-container/index.ts";
import { connectEngine } from "../../worker/engine/docker-engine.ts";
import { ensureImages } from "../images/ensure-images.ts";

const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const workerName = `down-${process.pid}`;

describe("npm run down", () => {
  it("removes the sandboxes up left behind, and with --purge the local data", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "corral-down-"));
    const images = await ensureImages(host);
    const runtimes = Object.keys(((await host.info()).Runtimes as object | undefined) ?? {});
    const driver = new EngineContainerDriver(host, {
      runtime: runtimes.includes("runc-privfix") ? "runc-privfix" : "runc",
      stateDir: path.join(dataDir, "sandboxes"),
      hostKey: workerName,
      sandboxImage: images.sandboxEngine,
      agentImageDefault: images.agentBase,
      storageMb: 512,
    });
    await driver.ensureSandbox({ tenantId: "t1", tenantSlug: "t1", cpus: 1, memoryMb: 512 });
    expect((await driver.listSandboxes()).map((s) => s.tenantId)).toEqual(["t1"]);
    await mkdir(path.join(dataDir, "worker"), { recursive: true });
    await writeFile(path.join(dataDir, "worker", "credential"), "x");
    // A microVM as the driver finds it: its folder, and a process carrying its QEMU name
    // (a shell stands in for QEMU, which would take half a minute to boot here).
    const vmDir = path.join(dataDir, "sandboxes", "microvm", "t2");
    await mkdir(vmDir, { recursive: true });
    await writeFile(path.join(vmDir, "tenant"), "t2");
    const fakeQemu = spawn(
      "sh",
      ["-c", "while :; do sleep 1; done", "-name", `corral-microvm.${workerName}.t2`],
      { stdio: "ignore" },
    );
    const exited = new Promise((resolve) => fakeQemu.once("exit", resolve));

    const env = { CORRAL_DATA_DIR: dataDir, CORRAL_WORKER_NAME: workerName, PORT: "1" };
    const kept = await runEntryPoint("infra/dev/down.ts", env, { stopAfterMs: 60_000 });
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/removed 2 sandboxes$/m);
    expect(kept.stdout).toMatch(/removed the microvm sandbox of t2/);
    expect(await exited).toBeDefined();
    expect(existsSync(vmDir)).toBe(false);
    expect(await driver.listSandboxes()).toEqual([]);
    const labelled = { label: [`corral.host=${workerName}`] };
    expect(await host.listContainers({ all: true, filters: labelled })).toEqual([]);
    expect((await host.listVolumes({ filters: labelled })).Volumes ?? []).toEqual([]);
    expect(await host.listNetworks({ filters: labelled })).toEqual([]);
    expect(existsSync(path.join(dataDir, "worker", "credential"))).toBe(true);

    const purge = await runEntryPoint("infra/dev/down.ts", env, {
      stopAfterMs: 60_000,
      args: ["--purge"],
    });
    expect(purge.code).toBe(0);
    expect(purge.stdout).toMatch(/no sandboxes/);
    expect(existsSync(dataDir)).toBe(false);
  }, 180_000);

  it("refuses while Corral answers on its port", async () => {
    const server = createServer((_req, res) => res.end("{}")).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const port = (server.address() as AddressInfo).port;
    const result = await runEntryPoint("infra/dev/down.ts", { PORT: String(port) });
    server.close();
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `down: Corral is running on :${port}; stop it (Ctrl-C in its terminal) first`,
    );
  });
});
