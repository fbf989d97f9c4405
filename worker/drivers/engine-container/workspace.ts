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

export async function ensureWorkspace(
  engine: Docker,
  sandbox: SandboxShell,
  spec: AgentSpec,
  driver: string = DRIVER_NAME,
): Promise<string> {
  const name = workspaceVolumeName(spec.agentId);
  // Makes, grows (never shrinks) and mounts the filesystem; a no-op when it is as asked.
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

/** Removes the workspace's volume and its filesystem (the agent's containers must be gone). */
export async function removeWorkspace(
  engine: Docker,
  sandbox: SandboxShell,
  agentId: string,
): Promise<void> {
  const name = workspaceVolumeName(agentId);
  await tolerating([404], engine.getVolume(name).remove());
  const removed = await corralDisk(sandbox, ["remove-workspace", name]);
  if (removed.exitCode !== 0) {
    throw new Error(`could not remove workspace ${name}: ${removed.output.trim()}`);
  }
}
