// `npm run down`: removes what `npm run up` left running on this host after Ctrl-C — the
// local worker's sandboxes with their agents, networks, volumes and firewall rules, and its
// microVMs (QEMU processes, disks, sockets, control groups).
// `npm run down -- --purge` also deletes the local data: the embedded database, generated
// secrets and the worker's credential (a fresh `up` then starts from nothing).
import { readlink, rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeError } from "../../common/errors.ts";
import type { SandboxDriver } from "../../worker/drivers/driver.ts";
import { EngineContainerDriver } from "../../worker/drivers/engine-container/index.ts";
import { MicrovmDriver } from "../../worker/drivers/microvm/index.ts";
import { connectEngine } from "../../worker/engine/docker-engine.ts";
import { DEFAULT_GUEST_CACHE, guestImageAt } from "../images/ensure-guest.ts";

const { values: flags } = parseArgs({ options: { purge: { type: "boolean", default: false } } });
const port = Number(process.env.PORT ?? 3000);
const dataDir = path.resolve(process.env.CORRAL_DATA_DIR ?? ".corral");
const dockerHost = process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock";
const workerName = process.env.CORRAL_WORKER_NAME ?? "local";

/** A running `up` would re-make every sandbox this removes. */
async function upIsRunning(): Promise<boolean> {
  try {
    await fetch(`http://localhost:${port}/api/health`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

async function main() {
  if (await upIsRunning())
    throw new Error(`Corral is running on :${port}; stop it (Ctrl-C in its terminal) first`);
  const engine = connectEngine(dockerHost);
  const sandboxDir = path.join(dataDir, "sandboxes");
  // The images are only used to make sandboxes; removing needs none.
  const drivers: SandboxDriver[] = [
    new EngineContainerDriver(engine, {
      stateDir: sandboxDir,
      hostKey: workerName,
      sandboxImage: "none",
      agentImageDefault: "none",
    }),
    // Where worker/main.ts keeps them; listing also sweeps what a killed start left.
    new MicrovmDriver(engine, {
      stateDir: path.join(sandboxDir, "microvm"),
      guest: guestImageAt(process.env.CORRAL_MICROVM_CACHE ?? DEFAULT_GUEST_CACHE),
      hostKey: workerName,
      agentImageDefault: "none",
    }),
  ];
  let removed = 0;
  for (const driver of drivers) {
    for (const sandbox of await driver.listSandboxes()) {
      await driver.destroySandbox(sandbox.tenantId);
      removed++;
      console.log(`removed the ${driver.name} sandbox of ${sandbox.tenantId} and its agents`);
    }
  }
  console.log(
    removed === 0
      ? `no sandboxes of worker "${workerName}" on this host`
      : `removed ${removed} sandbox${removed === 1 ? "" : "es"}`,
  );
  if (!flags.purge) return;
  // As root the embedded database may live outside the clone, behind a link (embedded.ts).
  const linked = await readlink(path.join(dataDir, "postgres")).catch(() => null);
  if (linked) await rm(path.resolve(dataDir, linked), { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  console.log(`deleted ${dataDir}${linked ? ` and ${linked}` : ""}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`down: ${describeError(error)}`);
    process.exit(1);
  },
);
