// Fails when prisma/schema.prisma has changed without a migration: replays the committed
// migrations into a scratch database and diffs the result against the schema.
import { spawnSync } from "node:child_process";
import { dropDatabase, ensureDatabase, withDatabase } from "../server/db/database.ts";
import { testServerUrl, uniqueDatabaseName } from "./database-server.ts";

const shadow = withDatabase(testServerUrl, uniqueDatabaseName("corral_shadow"));
await ensureDatabase(shadow);
try {
  const diff = spawnSync(
    "npx",
    [
      "prisma",
      "migrate",
      "diff",
      "--from-migrations",
      "prisma/migrations",
      "--to-schema",
      "prisma/schema.prisma",
      "--exit-code",
    ],
    {
      env: { ...process.env, DATABASE_URL: shadow, SHADOW_DATABASE_URL: shadow },
      encoding: "utf8",
    },
  );
  if (diff.status === 2) {
    console.error(
      "migrations: prisma/schema.prisma differs from prisma/migrations; run `npm run db:migrate -- --name <change>`",
    );
    console.error(diff.stdout);
    process.exitCode = 1;
  } else if (diff.status !== 0) {
    console.error(
      `migrations: the drift check could not run: ${diff.stderr.trim().split("\n").at(-1)}`,
    );
    process.exitCode = 1;
  } else {
    console.log("migrations: prisma/migrations matches prisma/schema.prisma");
  }
} finally {
  await dropDatabase(shadow);
}
