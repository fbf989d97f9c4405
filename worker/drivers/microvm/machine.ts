// One tenant's machine from the worker's side: its disk, a loopback port for its engine API,
// starting (cold or from a snapshot), provisioning after each start (clock, API keys) and the
// TLS client for its engine.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { createServer } from "node:net";
import { promisify } from "node:util";
import Docker from "dockerode";
import { describeError } from "../../../common/errors.ts";
import type { ApiKeys } from "./api-keys.ts";
import { type GuestControl, writeFileScript } from "./guest-control.ts";
import type { MachineNames } from "./names.ts";
import { type MachineLaunch, MachineStartError, startMachine } from "./qemu.ts";
import { withQmp } from "./qmp.ts";
import { reseedScript } from "./reseed.ts";

const run = promisify(execFile);

/** A copy-on-write disk over `backing` (a snapshot's disk, or a blank formatted one). */
export async function createDisk(disk: string, backing: string, sizeMb: number): Promise<void> {
  await run("qemu-img", [
    ...["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", backing],
    ...[disk, `${sizeMb}M`],
  ]);
}

/** A blank ext4 disk of `sizeMb` (sparse; only metadata is stored), made once per size. */
export async function ensureBlankDisk(path: string, sizeMb: number): Promise<void> {
  if (existsSync(path)) return;
  const raw = `${path}.${process.pid}.raw`;
  const qcow = `${path}.${process.pid}.new`;
  try {
    await run("truncate", ["-s", `${sizeMb}M`, raw]);
    // Tables written now (zeros, which the conversion drops) rather than by the guest later.
    await run("mkfs.ext4", [
      ...["-q", "-F", "-m", "0", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0"],
      raw,
    ]);
    await run("qemu-img", ["convert", "-q", "-O", "qcow2", raw, qcow]);
    await run("mv", [qcow, path]);
  } finally {
    await rm(raw, { force: true });
    await rm(qcow, { force: true });
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** Starts QEMU on a free loopback port (another taken meanwhile: try the next); its port. */
export async function launch(spec: Omit<MachineLaunch, "apiPort">): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const apiPort = await freeLoopbackPort();
    try {
      await startMachine({ ...spec, apiPort });
      await writeFile(spec.names.portFile, String(apiPort), { mode: 0o600 });
      return apiPort;
    } catch (error) {
      const portTaken = error instanceof MachineStartError && /forward/i.test(error.message);
      if (!portTaken || attempt >= 5) throw error;
    }
  }
}

/** After a restore: waits for the snapshot to be read, then runs the machine. */
export async function resumeIncoming(names: MachineNames, timeoutMs: number): Promise<void> {
  await withQmp(names.qmpSocket, async (qmp) => {
    await qmp.waitForMigration(timeoutMs);
    if ((await qmp.status()) !== "running") await qmp.execute("cont");
  });
}

/** Runs a machine left paused (a worker that died between restore and `cont`). */
export async function resumeIfPaused(names: MachineNames): Promise<void> {
  await withQmp(names.qmpSocket, async (qmp) => {
    const status = await qmp.status();
    if (status === "inmigrate") await qmp.waitForMigration(60_000);
    if (["paused", "prelaunch", "postmigrate", "inmigrate"].includes(status))
      await qmp.execute("cont");
  });
}

/** Where the guest keeps the API's keys (tmpfs: gone with the machine, never in a snapshot). */
const guestApiDir = "/run/corral/api";

/**
 * After every start: fresh randomness (reseed.ts), the guest's clock (a restored guest wakes
 * at its snapshot's time), and the tenant's API keys, then the TLS listener. Waits for the
 * guest's control channel.
 */
export async function provision(
  control: GuestControl,
  keys: ApiKeys,
  timeoutMs: number,
): Promise<void> {
  const script = [
    "set -e",
    // First: nothing the tenant runs may draw from the snapshot's random state.
    reseedScript(),
    `date -u -s @${(Date.now() / 1000).toFixed(3)} >/dev/null`,
    writeFileScript(`${guestApiDir}/server.pem`, keys.serverCert),
    writeFileScript(`${guestApiDir}/server.key`, keys.serverKey),
    writeFileScript(`${guestApiDir}/client.pem`, keys.clientCert),
    "corral-guest api start",
  ].join("\n");
  const result = await control.run(script, timeoutMs);
  if (result.exitCode !== 0)
    throw new Error(`could not provision the guest: ${result.output.trim()}`);
}

/** Before a snapshot: no keys and no listener are saved with it. */
export async function unprovision(control: GuestControl): Promise<void> {
  const result = await control.run(`corral-guest api stop\nrm -rf ${guestApiDir}\nsync`);
  if (result.exitCode !== 0) throw new Error(`could not clear the guest: ${result.output.trim()}`);
}

export function engineClient(apiPort: number, keys: ApiKeys): Docker {
  const tls = { ca: keys.serverCert, cert: keys.clientCert, key: keys.clientKey };
  // docker-modem takes an agent; dockerode's types do not say so.
  const options: Docker.DockerOptions & { agent: Agent } = {
    protocol: "https",
    host: "127.0.0.1",
    port: apiPort,
    ...tls,
    // No TLS session resumption: the guest's listener (socat) refuses resumed sessions.
    agent: new Agent({ ...tls, keepAlive: true, maxCachedSessions: 0 }),
  };
  return new Docker(options);
}

/** dockerode's ping accepts an abort signal; its types do not say so. */
type PingWithSignal = (options: { abortSignal: AbortSignal }) => Promise<unknown>;

export async function pingGuestEngine(engine: Docker, timeoutMs = 5000): Promise<string | null> {
  try {
    const ping = engine.ping as unknown as PingWithSignal;
    await ping.call(engine, { abortSignal: AbortSignal.timeout(timeoutMs) });
    return null;
  } catch (error) {
    return `guest engine does not answer: ${describeError(error)}`;
  }
}

export async function waitForGuestEngine(
  engine: Docker,
  timeoutMs: number,
  isAlive: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let reason: string | null = "not asked yet";
  while (Date.now() < deadline) {
    reason = await pingGuestEngine(engine);
    if (reason === null) return;
    if (!(await isAlive())) throw new Error(`the machine stopped while starting (${reason})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the guest engine did not answer within ${timeoutMs} ms (${reason})`);
}
