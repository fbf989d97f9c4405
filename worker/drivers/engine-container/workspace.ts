// An agent's workspace: a named volume in the sandbox's engine, kept across generations and
// owned by the agent's uid. The engine creates volume folders as root, so they are handed
// over with chown: directly on the host when its storage is reachable, else from inside the
// sandbox container (which holds the engine's storage).
import { chmod, lchown, lstat, realpath } from "node:fs/promises";
import path from "node:path";
import type Docker from "dockerode";
import type { AgentSpec } from "../driver.ts";
import { DRIVER_NAME, LABEL, workspaceVolumeName } from "./names.ts";
import { runExec } from "./run-exec.ts";

export const AGENT_UID = 65534;
export const AGENT_GID = 65534;

export async function ensureWorkspace(
  engine: Docker,
  sandbox: Docker.Container,
  spec: AgentSpec,
): Promise<string> {
  const name = workspaceVolumeName(spec.agentId);
  // Creating an existing volume returns it unchanged.
  await engine.createVolume({
    Name: name,
    Labels: {
      [LABEL.tenant]: spec.tenantId,
      [LABEL.agent]: spec.agentId,
      [LABEL.driver]: DRIVER_NAME,
      [LABEL.workspaceMb]: String(spec.workspaceMb),
    },
  });
  const { Mountpoint } = await engine.getVolume(name).inspect();
  // Fast path: the sandbox engine's storage is a host volume, so the worker (root, on the
  // same host) can check and fix the owner directly instead of exec'ing into the sandbox.
  const onHost = await hostPathOf(sandbox, Mountpoint);
  if (onHost) {
    const info = await lstat(onHost).catch(() => null);
    if (info?.isDirectory()) {
      if (info.uid !== AGENT_UID || info.gid !== AGENT_GID) {
        await lchown(onHost, AGENT_UID, AGENT_GID);
        await chmod(onHost, 0o750);
      }
      return name;
    }
  }
  const result = await runExec(sandbox, [
    "sh",
    "-c",
    'chown "$1:$2" "$3" && chmod 0750 "$3"',
    "workspace",
    String(AGENT_UID),
    String(AGENT_GID),
    Mountpoint,
  ]);
  if (result.exitCode !== 0) {
    throw new Error(`could not hand workspace ${name} to the agent: ${result.output.trim()}`);
  }
  return name;
}

/** Where a path under the sandbox's /var/lib/docker is on the host, if it is reachable. */
async function hostPathOf(sandbox: Docker.Container, inner: string) {
  const prefix = "/var/lib/docker/";
  if (!inner.startsWith(prefix)) return null;
  const info = await sandbox.inspect().catch(() => null);
  const mount = info?.Mounts.find((m) => m.Destination === "/var/lib/docker");
  if (!mount?.Source) return null;
  // The mountpoint comes from the sandbox's own engine, which a tenant may control: resolve
  // it and insist it stays inside the sandbox's storage (no .. or symlink out to the host).
  const root = await realpath(mount.Source).catch(() => null);
  const real = await realpath(path.join(mount.Source, inner.slice(prefix.length))).catch(
    () => null,
  );
  if (!root || !real?.startsWith(`${root}/`)) return null;
  return real;
}
