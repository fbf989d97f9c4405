// The QEMU process of one tenant's machine: its command line (a pure function), starting it
// detached from the worker (QEMU daemonizes and writes its pid file, so a worker crash leaves
// it running and findable), finding it again and ending it.
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { inCgroup, type MachineCgroup } from "./cgroup.ts";
import {
  GUEST_ADDRESS,
  GUEST_API_PORT,
  GUEST_GATEWAY_FORWARD,
  type MachineNames,
} from "./names.ts";

/** MiB of TCG's code cache (QEMU's default, 1 GiB, outgrows any fixed allowance). */
export const tcgCodeCacheMb = 256;

export interface MachineShape {
  vcpus: number;
  memoryMb: number;
}

export interface MachineFiles {
  kernel: string;
  initrd: string;
  rootfs: string;
}

export interface MachineLaunch {
  names: MachineNames;
  files: MachineFiles;
  shape: MachineShape;
  accel: "kvm" | "tcg";
  apiPort: number;
  /** The agents' door inside the guest (their network's first address). */
  gatewayAddress: string;
  gatewayPort: number;
  /** Restore this snapshot (paused until `cont`) instead of booting. */
  incoming?: string;
  /** The control group QEMU starts in (cgroup.ts); none: the worker's own. */
  cgroup?: MachineCgroup | null;
}

/** The QEMU command line. Everything a snapshot depends on comes from the shape and files. */
export function machineArgs(launch: MachineLaunch): string[] {
  const { names, files, shape } = launch;
  const append = [
    "console=ttyS0",
    "panic=-1",
    "quiet",
    // No PIT calibration under TCG (it hangs without a reference clock): take the rate as given.
    "tsc_early_khz=2000000",
    `corral.gateway=${launch.gatewayAddress}`,
    `corral.port=${launch.gatewayPort}`,
  ].join(" ");
  // restrict=on: the guest reaches nothing through QEMU but the rules below. hostfwd puts the
  // guest's TLS engine API on one loopback port; guestfwd runs one socat per connection the
  // guest opens to the forward address, into the tenant's gateway socket.
  const network = [
    "user",
    "id=net",
    "restrict=on",
    `hostfwd=tcp:127.0.0.1:${launch.apiPort}-${GUEST_ADDRESS}:${GUEST_API_PORT}`,
    `guestfwd=tcp:${GUEST_GATEWAY_FORWARD.address}:${GUEST_GATEWAY_FORWARD.port}-cmd:socat - UNIX-CONNECT:${names.gatewaySocketPath}`,
  ].join(",");
  return [
    "-name",
    names.processName,
    "-M",
    "microvm,x-option-roms=off,pit=on,pic=on,rtc=on",
    "-accel",
    // TCG's translated code is QEMU's own memory: bounded, so the machine's group can be.
    launch.accel === "tcg" ? `tcg,tb-size=${tcgCodeCacheMb}` : launch.accel,
    ...(launch.accel === "kvm" ? ["-cpu", "host"] : ["-cpu", "max"]),
    "-smp",
    String(shape.vcpus),
    "-m",
    String(shape.memoryMb),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-serial",
    `file:${names.consoleLog}`,
    "-kernel",
    files.kernel,
    "-initrd",
    files.initrd,
    "-append",
    append,
    "-drive",
    `id=root,file=${files.rootfs},format=raw,if=none,readonly=on`,
    "-device",
    "virtio-blk-device,drive=root",
    "-drive",
    `id=data,file=${names.disk},format=qcow2,if=none,discard=unmap`,
    "-device",
    "virtio-blk-device,drive=data",
    "-netdev",
    network,
    "-device",
    "virtio-net-device,netdev=net",
    "-device",
    "virtio-serial-device",
    "-chardev",
    `socket,id=control,path=${names.controlSocket},server=on,wait=off`,
    "-device",
    "virtserialport,chardev=control,name=corral.ctl",
    "-qmp",
    `unix:${names.qmpSocket},server=on,wait=off`,
    "-pidfile",
    names.pidFile,
    ...(launch.incoming ? ["-S", "-incoming", `exec:cat ${launch.incoming}`] : []),
    "-daemonize",
  ];
}

export class MachineStartError extends Error {
  override name = "MachineStartError";
}

/** Starts QEMU; resolves once it has daemonized (its devices and sockets exist). */
export function startMachine(launch: MachineLaunch): Promise<void> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = inCgroup(launch.cgroup ?? null, [
      "qemu-system-x86_64",
      ...machineArgs(launch),
    ]) as [string, ...string[]];
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve();
      else
        reject(new MachineStartError(`qemu exited ${code}: ${stderr.trim().split("\n").at(-1)}`));
    });
  });
}

async function cmdlineOf(pid: number): Promise<string[] | null> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
  } catch {
    return null;
  }
}

function isMachine(cmdline: string[] | null, processName: string): boolean {
  if (!cmdline) return false;
  const at = cmdline.indexOf("-name");
  return at >= 0 && cmdline[at + 1] === processName;
}

/**
 * The pid of the tenant's QEMU, or null. The pid file first; then every process, for a QEMU
 * whose pid file is gone (a crash between start and bookkeeping, or a removed folder).
 */
export async function findMachine(names: MachineNames): Promise<number | null> {
  const recorded = Number.parseInt(await readFile(names.pidFile, "utf8").catch(() => ""), 10);
  if (Number.isInteger(recorded) && isMachine(await cmdlineOf(recorded), names.processName))
    return recorded;
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (isMachine(await cmdlineOf(pid), names.processName)) return pid;
  }
  return null;
}

/** Every QEMU of this driver instance (by its -name prefix), as pid and name. */
export async function listMachineProcesses(prefix: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const cmdline = await cmdlineOf(pid);
    const at = cmdline?.indexOf("-name") ?? -1;
    const name = at >= 0 ? cmdline?.[at + 1] : undefined;
    if (name?.startsWith(prefix)) found.set(name, pid);
  }
  return found;
}

/** Has the process finished exiting (gone, or a zombie: its files and sockets are closed)? */
async function hasExited(pid: number): Promise<boolean> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    // A zombie has closed its files only once every thread is gone: QEMU's main thread can
    // show "Z" while its other threads still hold the forwarded port open.
    const zombie = /^State:\s+Z/m.test(status);
    const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
    return zombie && threads <= 1;
  } catch {
    return true;
  }
}

/**
 * Kills the process and waits until it has exited, its ports and files closed (an empty
 * command line is not enough: the kernel drops that before it closes the files).
 */
export async function killMachine(pid: number, processName: string): Promise<void> {
  if (!isMachine(await cmdlineOf(pid), processName)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  for (let attempt = 0; attempt < 400; attempt++) {
    if (await hasExited(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`qemu ${pid} (${processName}) did not exit after SIGKILL`);
}
