// A fresh, migrated database for this test run, dropped at the end.
import type { TestProject } from "vitest/node";
import {
  dropDatabase,
  ensureDatabase,
  migrateDatabase,
  withDatabase,
} from "../server/db/database.ts";
import { testServerUrl, uniqueDatabaseName } from "./database-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_test"));
  await ensureDatabase(url);
  await migrateDatabase(url);
  project.provide("databaseUrl", url);
  return () => dropDatabase(url);
}
