// Runs one of the project's entry points as a child process and collects what it says.
import { spawn } from "node:child_process";

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runEntryPoint(
  script: string,
  env: Record<string, string | undefined>,
  opts: { stopAfterMs?: number; stopWhen?: RegExp; args?: string[] } = {},
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", script, ...(opts.args ?? [])], {
      env: { NODE_ENV: "test", PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    let stdout = "";
    let stderr = "";
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      child.kill("SIGTERM");
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      if (opts.stopWhen?.test(stdout)) stop();
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = opts.stopAfterMs ? setTimeout(stop, opts.stopAfterMs) : undefined;
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
