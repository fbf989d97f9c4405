// An agent's workspace: a named volume in the sandbox's engine, kept across generations and
// owned by the agent's uid. The engine creates volume folders as root, so the sandbox
// container (which holds the engine's storage) hands it over with chown.
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
