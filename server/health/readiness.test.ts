import { afterAll, describe, expect, inject, it } from "vitest";
import { connectTestDb } from "../../test/db.ts";
import { createBoss } from "../jobs/queues.ts";
import { checkReadiness } from "./readiness.ts";

const db = connectTestDb();

describe("readiness", () => {
  const url = inject("databaseUrl");
  const boss = createBoss(url);
  afterAll(() => boss.stop({ graceful: false }));

  it("is ready only when the database answers, migrations are applied and the queue exists", async () => {
    await boss.start(); // what the job runner does first: it makes the queue's schema
    expect(await checkReadiness(db, url)).toEqual({
      ready: true,
      checks: { database: true, migrations: true, queue: true },
    });
    // The same process pointed at a database server that is not there.
    const nowhere = "postgresql://postgres@127.0.0.1:1/none";
    expect(await checkReadiness(db, nowhere)).toEqual({
      ready: false,
      checks: { database: true, migrations: false, queue: true },
    });
  });
});
