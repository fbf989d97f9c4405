import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { ensureDatabase, withDatabase } from "./database.ts";
import { startEmbeddedPostgres } from "./embedded.ts";

const port = 54000 + Math.floor(Math.random() * 900);
let root = "";

afterAll(() => (root ? rm(root, { recursive: true, force: true }) : undefined));

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("embedded PostgreSQL", () => {
  it("initialises, serves, and keeps its data across a restart", async () => {
    root = await mkdtemp(path.join(tmpdir(), "corral-embedded-"));
    await chmod(root, 0o755); // the server runs as the postgres user
    const opts = { dataDir: path.join(root, "pg"), port, password: "test-password" };

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
  }, 60_000);
});
