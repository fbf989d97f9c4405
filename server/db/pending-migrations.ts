// Is the database at the schema this code was built for? The processes that use it (web,
// job runner) refuse to start when a committed migration has not been applied, in one line,
// instead of failing later on a missing column. Read with a plain connection: before the
// row-level-security migration the application role does not exist yet.
import { readdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** prisma/migrations: beside this file's folder, or (inside Next's bundle, which has no
 * module path) under the app's working folder, where `next start` and serve.ts run. */
function migrationsDir(): string {
  const here = import.meta.dirname;
  return here
    ? path.resolve(here, "../../prisma/migrations")
    : path.resolve(process.cwd(), "prisma/migrations");
}

/** Committed migrations not (successfully) applied to the database at `url`, oldest first. */
export async function pendingMigrations(url: string): Promise<string[]> {
  const committed = (await readdir(migrationsDir(), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const table = await client.query<{ exists: boolean }>(
      `SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS exists`,
    );
    if (!table.rows[0]?.exists) return committed;
    const applied = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations
       WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    const done = new Set(applied.rows.map((r) => r.migration_name));
    return committed.filter((name) => !done.has(name));
  } finally {
    await client.end();
  }
}

/** One line for a person, or null when the schema is current. */
export async function schemaProblem(url: string): Promise<string | null> {
  const pending = await pendingMigrations(url);
  if (pending.length === 0) return null;
  const count = pending.length === 1 ? "1 migration is" : `${pending.length} migrations are`;
  return `the database is behind this version of Corral: ${count} not applied (first: ${pending[0]}); run \`npm run db:deploy\` (or the release's migration job), then start again`;
}
