// Runs a command in a container (docker exec) and waits for it: exit code and output.
import type Docker from "dockerode";
import { parseFrames, readAll } from "./multiplexed.ts";

export interface ExecResult {
  exitCode: number;
  /** stdout and stderr interleaved in the order the engine sent them. */
  output: string;
}

/**
 * Runs a command as root in a sandbox's own system (outside every agent): a docker exec into
 * the sandbox container, or the control channel of a microVM. Parts both drivers share
 * (workspaces, the agents' firewall) take one of these, not a container.
 */
export type SandboxShell = (command: string[]) => Promise<ExecResult>;

/** The sandbox container's shell: docker exec as its (root) user. */
export function containerShell(container: Docker.Container): SandboxShell {
  return (command) => runExec(container, command);
}

export async function runExec(
  container: Docker.Container,
  command: string[],
  options: { user?: string; privileged?: boolean } = {},
): Promise<ExecResult> {
  const exec = await container.exec({
    Cmd: command,
    AttachStdout: true,
    AttachStderr: true,
    User: options.user,
    Privileged: options.privileged ?? false,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const raw = await readAll(stream);
  const output = parseFrames(raw)
    .map((frame) => frame.payload.toString("utf8"))
    .join("");
  return { exitCode: await exitCodeOf(exec), output };
}

/** The stream ends when the process does; the engine may record the exit a moment later. */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("exec ended but the engine reports no exit code");
}
