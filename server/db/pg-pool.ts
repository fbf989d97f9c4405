// A plain node-postgres pool beside Prisma, for what Prisma cannot do: streaming COPY out.
// Same role and scope rules as the Prisma client (app-role.ts).
import pg from "pg";
import { webConfig } from "../core/config.ts";
import { appConnectionOptions } from "./app-role.ts";

export type PgPool = pg.Pool;

export function createPgPool(url: string, max = 4): PgPool {
  // Waiting for a free connection has an end: a busy pool answers "try again", not a hang.
  return new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 10_000,
    options: appConnectionOptions,
  });
}

const globalForPool = globalThis as unknown as { corralPgPool?: PgPool };

/** The process-wide pool, created on first use from DATABASE_URL. */
export function pgPool(): PgPool {
  globalForPool.corralPgPool ??= createPgPool(webConfig().DATABASE_URL);
  return globalForPool.corralPgPool;
}
