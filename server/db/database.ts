// Creating, migrating and dropping databases on a PostgreSQL server: used by the launcher
// (infra/dev/up.ts) and the test harness, never by request handlers.
import { spawn } from "node:child_process";
import pg from "pg";
import { describeError, UnreachableError } from "../../common/errors.ts";

/** The same server URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1)) || "postgres";
}

/** Where the server is, without the password, for messages. */
export function describeServer(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}`;
}

/** Runs `fn` with a client on the server's `postgres` maintenance database. */
async function withMaintenanceClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: withDatabase(url, "postgres"),
    connectionTimeoutMillis: 5000,
  });
  try {
    await client.connect();
  } catch (error) {
    throw new UnreachableError(
      `cannot reach PostgreSQL at ${describeServer(url)}: ${describeError(error) || "connection refused"}`,
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const safeName = /^[a-z_][a-z0-9_]{0,62}$/;

function quoteName(name: string): string {
  if (!safeName.test(name)) throw new Error(`unsupported database name "${name}"`);
  return `"${name}"`;
}

/** Creates the database named in `url` unless it exists. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withMaintenanceClient(url, async (c) => {
    const found = await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) await c.query(`CREATE DATABASE ${quoteName(name)}`);
  });
}

/** Drops the database named in `url`, disconnecting anyone still using it. */
export async function dropDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await withMaintenanceClient(url, (c) =>
    c.query(`DROP DATABASE IF EXISTS ${quoteName(name)} WITH (FORCE)`),
  );
}

/** Applies committed migrations with Prisma's own `migrate deploy`. */
export async function migrateDatabase(url: string): Promise<void> {
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn("npx", ["prisma", "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (d) => output.push(String(d)));
    child.stderr.on("data", (d) => output.push(String(d)));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    const text = output.join("");
    const hint = /binaries\.prisma\.sh|schema-engine/i.test(text)
      ? " (Prisma's schema engine is missing: set PRISMA_SCHEMA_ENGINE_BINARY, see README)"
      : "";
    const firstError =
      text.split("\n").find((l) => /^Error|P\d{4}/.test(l.trim())) ?? `exit code ${code}`;
    throw new Error(`migrations failed: ${firstError.trim()}${hint}`);
  }
}
