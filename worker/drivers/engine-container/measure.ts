// `npx tsx worker/drivers/engine-container/measure.ts [samples]`: times the driver on this host
// — a sandbox from nothing until its engine answers, a repeated ensureSandbox, and agent
// create+start inside a sandbox — then removes everything it made.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureImages } from "../../../infra/images/ensure-images.ts";
import { connectEngine } from "../../engine/docker-engine.ts";
import { EngineContainerDriver } from "./engine-container-driver.ts";

const samples = Number(process.argv[2] ?? 5);
const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const runtimes = Object.keys(((await host.info()).Runtimes as object | undefined) ?? {});
// Hosts without CAP_SYS_RESOURCE need runc-privfix for privileged containers (STACK.md).
const runtime =
  process.env.CORRAL_SANDBOX_RUNTIME ??
  (runtimes.includes("runc-privfix") ? "runc-privfix" : "runc");
const run = randomBytes(4).toString("hex");

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function summary(label: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const ms = (value: number) => `${Math.round(value)} ms`;
  return `${label}: median ${ms(at(0.5))}, p95 ${ms(at(0.95))}, min ${ms(sorted[0] ?? 0)}, max ${ms(sorted.at(-1) ?? 0)} (${times.length} samples)`;
}

const images = await ensureImages(host);
const stateDir = await mkdtemp(path.join(tmpdir(), "corral-measure-"));
const driver = new EngineContainerDriver(host, {
  hostKey: `measure-${run}`,
  runtime,
  stateDir,
  sandboxImage: images.sandboxEngine,
  agentImageDefault: images.agentBase,
});
const sandbox = (tenantId: string) => ({ tenantId, tenantSlug: tenantId, cpus: 1, memoryMb: 1024 });

const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < samples; i++) {
  const tenantId = `measure-${run}-${i}`;
  cold.push(await timed(() => driver.ensureSandbox(sandbox(tenantId))));
  warm.push(await timed(() => driver.ensureSandbox(sandbox(tenantId))));
  if (i > 0) await driver.destroySandbox(tenantId);
}

const tenantId = `measure-${run}-0`;
const firstAgent: number[] = [];
const agents: number[] = [];
for (let i = 0; i < samples * 2; i++) {
  const spec = {
    tenantId,
    agentId: `${run}-agent-${i}`,
    name: `agent ${i}`,
    generation: 1,
    image: images.agentBase,
    command: ["sleep", "3600"],
    env: {},
    cpus: 0.5,
    memoryMb: 128,
    pids: 64,
    workspaceMb: 100,
  };
  const time = await timed(async () => {
    await driver.createAgent(spec);
    await driver.startAgent(tenantId, spec.agentId);
  });
  // The first one also copies the image into the sandbox.
  (i === 0 ? firstAgent : agents).push(time);
}
const destroy = await timed(() => driver.destroySandbox(tenantId));
await rm(stateDir, { recursive: true, force: true });

console.log(`runtime ${runtime}, sandbox quota 1 CPU / 1 GiB`);
console.log(summary("sandbox from nothing until its engine answers", cold));
console.log(summary("ensureSandbox on a ready sandbox", warm));
console.log(summary("first agent create+start (image copied in)", firstAgent));
console.log(summary("agent create+start (image cached)", agents));
console.log(summary(`destroy a sandbox with ${samples * 2} agents`, [destroy]));
