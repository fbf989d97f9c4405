// One production web process (server/web/serve.ts over the `next build` output) on a free
// loopback port, with its CPU time readable from /proc, for the load bench.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export interface WebServer {
  port: number;
  pid: number;
  /** User + system CPU time the process has used so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

const root = path.join(import.meta.dirname, "..", "..");
// /proc/<pid>/stat counts in clock ticks: 100 a second on Linux (USER_HZ).
const msPerTick = 10;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * msPerTick;
}

// A bench that dies (an exception, a timeout's signal) must not leave servers behind.
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(1));

function exited(child: ChildProcess) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/** Starts a web process; `profileDir` runs it under `--cpu-prof`, written when it stops. */
export async function startWebServer(options: {
  env: Record<string, string>;
  profileDir?: string;
}): Promise<WebServer> {
  const port = await freePort();
  const profile = options.profileDir ? ["--cpu-prof", "--cpu-prof-dir", options.profileDir] : [];
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "server/web/serve.ts"], {
    cwd: root,
    env: {
      ...process.env,
      ...options.env,
      NODE_ENV: "production",
      PORT: String(port),
      AUTH_URL: `http://localhost:${port}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stderr?.on("data", collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`web did not start in 120 s:\n${output}`));
    }, 120_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      collect(chunk);
      if (output.includes("listening on")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`web exited (${code}) before listening:\n${output}`));
    });
  });
  const pid = child.pid as number;
  return {
    port,
    pid,
    cpuMs: () => cpuMsOf(pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited(child);
    },
  };
}
