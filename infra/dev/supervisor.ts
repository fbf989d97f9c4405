// Runs the system's processes side by side with labelled output, and stops them together.
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export interface Supervised {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export class Supervisor {
  private readonly running = new Set<Supervised>();

  /** Starts `command`; its output lines appear prefixed with `[name]`. */
  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Supervised {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on("line", (line) => console.log(`[${name}] ${line}`));
    }
    const exited = new Promise<number | null>((resolve) => {
      child.on("error", () => resolve(1));
      child.on("exit", (code, signal) => resolve(signal ? null : code));
    });
    const proc = { name, child, exited };
    this.running.add(proc);
    void exited.then(() => this.running.delete(proc));
    return proc;
  }

  /** Resolves with the first process that exits on its own. */
  firstExit(): Promise<{ name: string; code: number | null }> {
    return Promise.race(
      [...this.running].map((p) => p.exited.then((code) => ({ name: p.name, code }))),
    );
  }

  /** SIGTERM to each, in reverse start order; SIGKILL for any still running after 10 s. */
  async stopAll(): Promise<void> {
    for (const proc of [...this.running].reverse()) {
      proc.child.kill("SIGTERM");
      const timer = setTimeout(() => proc.child.kill("SIGKILL"), 10_000);
      await proc.exited;
      clearTimeout(timer);
    }
  }
}

/** Runs a command to completion with labelled output; rejects on a non-zero exit. */
export async function runStep(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
) {
  const proc = new Supervisor().start(name, command, args, env);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`${name} failed (exit code ${code})`);
}
