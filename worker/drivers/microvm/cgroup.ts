// Each tenant's QEMU in a control group of its own, limited to the tenant's quota: its vCPUs'
// worth of CPU time and its guest memory plus QEMU's own overhead. QEMU is started inside it
// (a shell joins the group, then execs QEMU), so nothing it allocates is charged elsewhere;
// the group is removed on destroy. cgroup v2 (memory.max, cpu.max) where the host has it;
// cgroup v1 (memory and cpu hierarchies) otherwise, as on hosts still booted that way.
import { existsSync } from "node:fs";
import { mkdir, readdir, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";

const root = "/sys/fs/cgroup";
/** Where every machine's group lives (below the v2 root, or each v1 hierarchy). */
const parentName = "corral-microvm";
const periodUs = 100_000;
/**
 * QEMU's own memory beside the guest's: device models, buffers and, under TCG, its code
 * cache (bounded to 256 MiB in qemu.ts; left at its 1 GiB default, a TCG machine loading
 * images grew 544 MiB past its guest's memory and was killed at a 512 MiB allowance).
 */
export const qemuOverheadMb = 640;

export type CgroupVersion = "v2" | "v1" | "none";

export function cgroupVersion(): CgroupVersion {
  if (existsSync(path.join(root, "cgroup.controllers"))) return "v2";
  if (existsSync(path.join(root, "memory", "cgroup.procs")) && existsSync(path.join(root, "cpu")))
    return "v1";
  return "none";
}

export interface MachineLimits {
  /** CPUs' worth of time per period (fractions allowed). */
  cpus: number;
  /** The guest's memory; QEMU's overhead is added. */
  memoryMb: number;
}

/** One machine's group: where to join it, and its folders (one per hierarchy in v1). */
export interface MachineCgroup {
  /** The cgroup.procs a starting process writes its pid to (v1: the memory hierarchy's). */
  procsFiles: string[];
  dirs: string[];
}

function dirsOf(version: CgroupVersion, name: string): string[] {
  if (version === "v2") return [path.join(root, parentName, name)];
  if (version === "v1")
    return [path.join(root, "memory", parentName, name), path.join(root, "cpu", parentName, name)];
  return [];
}

/** Makes (or updates) the machine's group with its limits; null where the host has none. */
export async function ensureMachineCgroup(
  name: string,
  limits: MachineLimits,
): Promise<MachineCgroup | null> {
  const version = cgroupVersion();
  if (version === "none") return null;
  const memoryBytes = (limits.memoryMb + qemuOverheadMb) * 1024 * 1024;
  const quotaUs = Math.max(1000, Math.round(limits.cpus * periodUs));
  const dirs = dirsOf(version, name);
  if (version === "v2") {
    const parent = path.join(root, parentName);
    // Controllers reach a group only when every ancestor hands them down.
    await writeFile(path.join(root, "cgroup.subtree_control"), "+memory +cpu");
    await mkdir(parent, { recursive: true });
    await writeFile(path.join(parent, "cgroup.subtree_control"), "+memory +cpu");
    const [dir] = dirs as [string];
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "memory.max"), String(memoryBytes));
    // No swap beyond the limit: the tenant's memory is its memory.
    await writeFile(path.join(dir, "memory.swap.max"), "0").catch(() => undefined);
    await writeFile(path.join(dir, "cpu.max"), `${quotaUs} ${periodUs}`);
  } else {
    const [memory, cpu] = dirs as [string, string];
    await mkdir(memory, { recursive: true });
    await mkdir(cpu, { recursive: true });
    await writeFile(path.join(memory, "memory.limit_in_bytes"), String(memoryBytes));
    await writeFile(path.join(cpu, "cpu.cfs_period_us"), String(periodUs));
    await writeFile(path.join(cpu, "cpu.cfs_quota_us"), String(quotaUs));
  }
  return { procsFiles: dirs.map((d) => path.join(d, "cgroup.procs")), dirs };
}

/** Removes the machine's group (its processes must be gone); absent is fine. */
export async function removeMachineCgroup(name: string): Promise<void> {
  for (const dir of dirsOf(cgroupVersion(), name)) await removeGroup(dir);
}

/** The machine groups below the parent whose names start with `prefix` (this worker's). */
export async function listMachineCgroups(prefix: string): Promise<string[]> {
  const [first] = dirsOf(cgroupVersion(), "");
  if (!first) return [];
  const entries = await readdir(first, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && e.name.startsWith(prefix)).map((e) => e.name);
}

async function removeGroup(dir: string): Promise<void> {
  // A process that just exited may still be leaving the group: EBUSY for a moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** The command that runs `command` inside the group: a shell joins it, then execs. */
export function inCgroup(cgroup: MachineCgroup | null, command: string[]): string[] {
  if (!cgroup) return command;
  const joins = cgroup.procsFiles.map((_, i) => `echo $$ >"$${i + 1}"`).join(" && ");
  const n = cgroup.procsFiles.length;
  return [
    "sh",
    "-c",
    `${joins} && shift ${n} && exec "$@"`,
    "corral-cgroup",
    ...cgroup.procsFiles,
    ...command,
  ];
}
