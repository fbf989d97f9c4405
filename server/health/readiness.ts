// Readiness, for load balancers and orchestrators: may this web process take traffic? Yes
// when the database answers as the application role, every committed migration is applied,
// and the job queue's schema exists (the job runner made it). Liveness is /api/health.
import type { Db } from "../db/client.ts";
import { pendingMigrations } from "../db/pending-migrations.ts";

export interface Readiness {
  ready: boolean;
  checks: { database: boolean; migrations: boolean; queue: boolean };
}

async function passes(check: () => Promise<boolean>): Promise<boolean> {
  try {
    return await check();
  } catch {
    return false;
  }
}

/** `databaseUrl` is where `db` connects (the migration history is read without its role). */
export async function checkReadiness(db: Db, databaseUrl: string): Promise<Readiness> {
  const [database, migrations, queue] = await Promise.all([
    passes(async () => (await db.$queryRaw<unknown[]>`SELECT 1`).length === 1),
    passes(async () => (await pendingMigrations(databaseUrl)).length === 0),
    passes(async () => {
      const [row] = await db.$queryRaw<{ ok: boolean }[]>`
        SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                       WHERE schemaname = 'pgboss' AND tablename = 'version') AS ok`;
      return row?.ok === true;
    }),
  ]);
  return { ready: database && migrations && queue, checks: { database, migrations, queue } };
}
