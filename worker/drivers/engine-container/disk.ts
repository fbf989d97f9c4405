// The sandbox's bounded storage, from the worker's side. The work is done inside the sandbox
// container by corral-disk (infra/images/sandbox-engine/disk.sh): fixed-size ext4 images on
// loop devices, one for the engine's storage and one per agent workspace. The host's overlay2
// on ext4 cannot bound a container's size, and a loop device needs the sandbox's privileges,
// so the sandbox does it and the worker only asks.
import type { DiskUse, SandboxDiskUsage } from "../driver.ts";
import { workspaceVolumeName } from "./names.ts";
import type { SandboxShell } from "./run-exec.ts";

/** Inside the sandbox container: the host volume holding the storage's image file. */
export const STORE_VOLUME_PATH = "/var/lib/corral/store";
/** Inside the sandbox container: where workspace filesystems are mounted, one folder each. */
export const WORKSPACE_MOUNTS = "/var/lib/corral/workspaces";
/** corral-disk's exit code when it cannot reserve the space (ENOSPC). */
export const NO_ROOM = 28;

/** The folder of a workspace filesystem that agents get (its root keeps lost+found). */
export function workspaceDataPath(volumeName: string): string {
  return `${WORKSPACE_MOUNTS}/${volumeName}/data`;
}

/** Runs corral-disk in the sandbox (as its root, which holds the loop devices). */
export function corralDisk(sandbox: SandboxShell, args: string[]) {
  return sandbox(["corral-disk", ...args]);
}

/** Parses `corral-disk usage`: "store USED SIZE" and "workspace NAME USED SIZE" lines. */
export function parseUsage(output: string): {
  store: DiskUse | null;
  workspaces: Map<string, DiskUse>;
} {
  let store: DiskUse | null = null;
  const workspaces = new Map<string, DiskUse>();
  for (const line of output.split("\n")) {
    const words = line.trim().split(/\s+/);
    const use = (used?: string, size?: string): DiskUse | null => {
      const usedBytes = Number(used);
      const sizeBytes = Number(size);
      return Number.isSafeInteger(usedBytes) && Number.isSafeInteger(sizeBytes) && sizeBytes > 0
        ? { usedBytes, sizeBytes }
        : null;
    };
    if (words[0] === "store" && words.length === 3) store = use(words[1], words[2]);
    if (words[0] === "workspace" && words.length === 4 && words[1]) {
      const found = use(words[2], words[3]);
      if (found) workspaces.set(words[1], found);
    }
  }
  return { store, workspaces };
}

/** One exec per sandbox measures the store and every mounted workspace. */
export async function readDiskUsage(
  sandbox: SandboxShell,
  agentIds: string[],
): Promise<SandboxDiskUsage> {
  const result = await corralDisk(sandbox, ["usage"]);
  if (result.exitCode !== 0) {
    throw new Error(`could not measure the sandbox's disk: ${result.output.trim()}`);
  }
  const parsed = parseUsage(result.output);
  const workspaces = new Map<string, DiskUse>();
  for (const agentId of agentIds) {
    const use = parsed.workspaces.get(workspaceVolumeName(agentId));
    if (use) workspaces.set(agentId, use);
  }
  return { store: parsed.store, workspaces };
}
