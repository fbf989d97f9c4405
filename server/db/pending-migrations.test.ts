// A web server or job runner started against a database that lacks a committed migration
// refuses, in one line, before it listens or works.
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { testServerUrl, uniqueDatabaseName } from "../../test/database-server.ts";
import { runEntryPoint } from "../../test/run-process.ts";
import { dropDatabase, ensureDatabase, withDatabase } from "./database.ts";
import { pendingMigrations } from "./pending-migrations.ts";

const committed = readdirSync("prisma/migrations", { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const newest = committed.at(-1) ?? "";

/** A database whose migration history lacks the newest committed migration. */
const behind = withDatabase(testServerUrl, uniqueDatabaseName("corral_behind"));

beforeAll(async () => {
  await ensureDatabase(behind);
  const client = new pg.Client({ connectionString: behind });
  await client.connect();
  await client.query(`CREATE TABLE _prisma_migrations (
    migration_name text, finished_at timestamptz, rolled_back_at timestamptz)`);
  for (const name of committed.slice(0, -1))
    await client.query(`INSERT INTO _prisma_migrations VALUES ($1, now(), NULL)`, [name]);
  await client.end();
});
afterAll(() => dropDatabase(behind));

const env = (url: string) => ({
  DATABASE_URL: url,
  AUTH_SECRET: randomBytes(32).toString("base64url"),
  CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
  PORT: "39127",
});

describe("pending migrations", () => {
  it("finds none on a migrated database and the newest on one left behind", async () => {
    expect(await pendingMigrations(inject("databaseUrl"))).toEqual([]);
    expect(await pendingMigrations(behind)).toEqual([newest]);
  });

  it.each([
    ["web server", "server/web/serve.ts", "web: "],
    ["job runner", "server/jobs/main.ts", "corral-jobs: "],
  ])("stop the %s at start with one line", async (_name, script, prefix) => {
    const result = await runEntryPoint(script, env(behind), { stopAfterMs: 60_000 });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).toEqual([
      `${prefix}the database is behind this version of Corral: 1 migration is not applied (first: ${newest}); run \`npm run db:deploy\` (or the release's migration job), then start again`,
    ]);
  });
});
