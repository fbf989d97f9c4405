// Sandboxes with their own kernel, beside the engine-container driver's, in one run:
//   engine-container ready   a tenant's privileged engine container until its engine takes agents
//   microvm cold             a QEMU microvm booted from nothing until its engine answers (TLS)
//   microvm from snapshot    restored from the golden snapshot, clock and keys sent, engine answers
//   agent start              the hardened create+start of one agent inside each kind of sandbox
// Under TCG (no working KVM, as on our machines) every guest instruction is translated: expect
// KVM hosts to boot in a few seconds and restore well under a second. The golden snapshot is
// made once and cached (not timed). Sizes: BENCH_MICROVM_SAMPLES (default 3).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { ensureGuestImage } from "../infra/images/ensure-guest.ts";
import { ensureImages } from "../infra/images/ensure-images.ts";
import type { SandboxDriver } from "../worker/drivers/driver.ts";
import { EngineContainerDriver } from "../worker/drivers/engine-container/index.ts";
import { MicrovmDriver } from "../worker/drivers/microvm/index.ts";
import { connectEngine, describeEngine } from "../worker/engine/docker-engine.ts";
import { median, p95, timed } from "./stats.ts";

const samples = Number(process.env.BENCH_MICROVM_SAMPLES ?? 3);
const run = randomBytes(3).toString("hex");
const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const images = await ensureImages(host, { log: () => {} });
const guest = await ensureGuestImage(undefined, { log: () => {} });
const runtimes = (await describeEngine(host, "local")).runtimes;
const runtime = ["sysbox-runc", "runc-privfix"].find((r) => runtimes.includes(r)) ?? "runc";
// Short: unix socket paths must fit in 107 bytes.
const stateDir = mkdtempSync("/tmp/cbm-");
const common = { agentImageDefault: images.agentBase, hostKey: `bench-${run}` };
const engineContainer = new EngineContainerDriver(host, {
  ...common,
  runtime,
  stateDir: path.join(stateDir, "ec"),
  sandboxImage: images.sandboxEngine,
});
const microvm = (snapshots: boolean) =>
  new MicrovmDriver(host, {
    ...common,
    stateDir: path.join(stateDir, "vm"),
    guest,
    snapshots,
    // Restores that fail (and boot cold instead) say why.
    log: (line) => console.log(`  (${line})`),
  });
const fromSnapshot = microvm(true);
const cold = microvm(false);
const ms = (v: number) => `${Math.round(v)} ms`;
const report = (what: string, values: number[]) =>
  console.log(`  ${what.padEnd(28)} median ${ms(median(values))}, p95 ${ms(p95(values))}`);

/** Sandbox ready, then one hardened agent created and started in it; both timed. */
async function sample(driver: SandboxDriver, tenantId: string): Promise<[number, number]> {
  const spec = { tenantId, tenantSlug: tenantId, cpus: 1, memoryMb: 1024 };
  const [, ready] = await timed(() => driver.ensureSandbox(spec));
  const agent = {
    tenantId,
    agentId: `a-${tenantId}`,
    name: "bench",
    generation: 1,
    image: images.agentBase,
    command: ["sh", "-c", "exec sleep 3600"],
    env: {},
    cpus: 0.5,
    memoryMb: 128,
    pids: 64,
    workspaceMb: 64,
  };
  const [, start] = await timed(async () => {
    await driver.createAgent(agent);
    await driver.startAgent(tenantId, agent.agentId);
  });
  await driver.destroySandbox(tenantId);
  return [ready, start];
}

try {
  console.log(`microvm (accel ${await fromSnapshot.accel()}, ${samples} samples each)`);
  // The golden snapshot, made (or found) before the clock starts.
  await sample(fromSnapshot, `bench-${run}-warm`);
  const results = new Map<string, [number[], number[]]>();
  for (const [name, driver] of [
    ["engine-container", engineContainer],
    ["microvm from snapshot", fromSnapshot],
    ["microvm cold", cold],
  ] as const) {
    const ready: number[] = [];
    const start: number[] = [];
    for (let i = 0; i < samples; i++) {
      const [r, s] = await sample(driver, `bench-${run}-${name.replaceAll(" ", "-")}-${i}`);
      ready.push(r);
      start.push(s);
    }
    results.set(name, [ready, start]);
  }
  for (const [name, [ready]] of results) report(`${name}: sandbox ready`, ready);
  for (const [name, [, start]] of results) report(`${name}: agent start`, start);
} finally {
  fromSnapshot.close();
  cold.close();
  rmSync(stateDir, { recursive: true, force: true });
}
