// An agent's workspace: a filesystem of exactly workspaceMb (so writes past it fail with
// ENOSPC in the agent), made inside the sandbox's storage (so its space counts against the
// tenant's and is reserved when the agent is created), kept across generations. The engine
// sees it as a named volume binding the filesystem's data folder, owned by the agent's uid;
// if the filesystem were ever not mounted, that folder is missing and the agent fails to
// start rather than write to the store unbounded.
import type Docker from "dockerode";
import { type AgentSpec, AgentSpecError } from "../driver.ts";
import { corralDisk, NO_ROOM, workspaceDataPath } from "./disk.ts";
import { tolerating } from "./engine-errors.ts";
import { DRIVER_NAME, LABEL, workspaceVolumeName } from "./names.ts";
import type { SandboxShell } from "./run-exec.ts";

export const AGENT_UID = 65534;
export const AGENT_GID = 65534;

/**
 * Workspaces made and mounted in a sandbox's current boot, by tenant, with their sizes: a
 * later create in the same boot (every cold start of the agent) skips the command in the
 * sandbox, about 80 ms of its start (#15). A sandbox restarted or made again has a new boot,
 * whose mounts are made afresh.
 */
const mountedInBoot = new Map<string, { boot: string; sizes: Map<string, number> }>();

/** A destroyed sandbox's workspaces are gone with it. */
export const forgetMountedWorkspaces = (tenantId: string) => mountedInBoot.delete(tenantId);

function mountedNow(tenantId: string, boot: string | undefined) {
  if (boot === undefined) return undefined;
  const known = mountedInBoot.get(tenantId);
  if (known?.boot === boot) return known.sizes;
  const sizes = new Map<string, number>();
  mountedInBoot.set(tenantId, { boot, sizes });
  return sizes;
}

/**
 * The agent's workspace volume, its filesystem made (or grown) and mounted. `boot` names the
 * sandbox's current boot, where the driver can tell one (see mountedInBoot).
 */
export async function ensureWorkspace(
  engine: Docker,
  sandbox: SandboxShell,
  spec: AgentSpec,
  driver: string = DRIVER_NAME,
  boot?: string,
): Promise<string> {
  const name = workspaceVolumeName(spec.agentId);
  const mounted = mountedNow(spec.tenantId, boot);
  if ((mounted?.get(name) ?? -1) < spec.workspaceMb) await makeWorkspace(sandbox, spec, name);
  mounted?.set(name, Math.max(spec.workspaceMb, mounted.get(name) ?? 0));
  const device = workspaceDataPath(name);
  // Creating an existing volume returns it unchanged.
  await engine.createVolume({
    Name: name,
    Driver: "local",
    DriverOpts: { type: "none", o: "bind", device },
    Labels: {
      [LABEL.tenant]: spec.tenantId,
      [LABEL.agent]: spec.agentId,
      [LABEL.driver]: driver,
    },
  });
  // A volume of that name made otherwise (by hand, or before workspaces had a size) would
  // give the agent unbounded space: refuse it.
  const { Options } = await engine.getVolume(name).inspect();
  if (Options?.device !== device || Options?.o !== "bind") {
    throw new Error(`volume ${name} is not bound to the agent's workspace filesystem: remove it`);
  }
  return name;
}

/** Makes, grows (never shrinks) and mounts the filesystem; a no-op when it is as asked. */
async function makeWorkspace(sandbox: SandboxShell, spec: AgentSpec, name: string) {
  const made = await corralDisk(sandbox, [
    "workspace",
    name,
    String(spec.workspaceMb),
    String(AGENT_UID),
    String(AGENT_GID),
  ]);
  if (made.exitCode === NO_ROOM) {
    throw new AgentSpecError(
      `the sandbox's storage has no room for a ${spec.workspaceMb} MiB workspace (free some, or ask for less)`,
    );
  }
  if (made.exitCode !== 0) {
    throw new Error(`could not make workspace ${name}: ${made.output.trim()}`);
  }
}

/** Removes the workspace's volume and its filesystem (the agent's containers must be gone). */
export async function removeWorkspace(
  engine: Docker,
  sandbox: SandboxShell,
  agentId: string,
): Promise<void> {
  const name = workspaceVolumeName(agentId);
  for (const { sizes } of mountedInBoot.values()) sizes.delete(name);
  await tolerating([404], engine.getVolume(name).remove());
  const removed = await corralDisk(sandbox, ["remove-workspace", name]);
  if (removed.exitCode !== 0) {
    throw new Error(`could not remove workspace ${name}: ${removed.output.trim()}`);
  }
}
