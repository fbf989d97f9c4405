// Prisma CLI configuration: where the schema and migrations live and which database the
// CLI talks to. The app itself builds its client in server/db/client.ts.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: {
    path: "prisma/migrations",
    seed: "tsx prisma/seed.ts",
  },
  datasource: {
    // `prisma generate` needs no database; migrate commands get DATABASE_URL from the
    // caller (infra/dev/up.ts, the test harness or the operator's environment).
    url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/corral",
    // Scratch database for replaying migrations (the drift check sets it).
    shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL,
  },
});
