// A fresh, migrated database for this test run, dropped at the end.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startMailSink } from "../infra/dev/mail-sink.ts";
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
    mailSinkUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const url = withDatabase(testServerUrl, uniqueDatabaseName("corral_test"));
  await ensureDatabase(url);
  await migrateDatabase(url);
  const sink = await startMailSink({ smtpPort: 0, httpPort: 0 });
  project.provide("databaseUrl", url);
  project.provide("mailSinkUrl", sink.httpUrl);
  // Test processes inherit this environment: the same settings the web app reads.
  Object.assign(process.env, {
    DATABASE_URL: url,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    AUTH_URL: "http://localhost:3000",
    CORRAL_SECRET_KEY: randomBytes(32).toString("base64url"),
    CORRAL_WEBHOOK_ALLOW_PRIVATE: "true",
    CORRAL_SMTP_URL: sink.smtpUrl,
  });
  return async () => {
    await sink.stop();
    await dropDatabase(url);
  };
}
