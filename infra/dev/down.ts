// `npm run down`: removes what `npm run up` left running on this host after Ctrl-C — the
// local worker's sandboxes with their agents, networks, volumes and firewall rules.
// `npm run down -- --purge` also deletes the local data: the embedded database, generated
// secrets and the worker's credential (a fresh `up` then starts from nothing).
import { readlink, rm } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeError } from "../../common/errors.ts";
import { EngineContainerDriver } from "../../worker/drivers/engine-container/index.ts";
import { connectEngine } from "../../worker/engine/docker-engine.ts";

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
  const driver = new EngineContainerDriver(connectEngine(dockerHost), {
    stateDir: path.join(dataDir, "sandboxes"),
    hostKey: workerName,
    // Only used to make sandboxes; removing needs neither.
    sandboxImage: "none",
    agentImageDefault: "none",
  });
  const sandboxes = await driver.listSandboxes();
  for (const sandbox of sandboxes) {
    await driver.destroySandbox(sandbox.tenantId);
    console.log(`removed the sandbox of ${sandbox.tenantId} and its agents`);
  }
  console.log(
    sandboxes.length === 0
      ? `no sandboxes of worker "${workerName}" on this host`
      : `removed ${sandboxes.length} sandbox${sandboxes.length === 1 ? "" : "es"}`,
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
