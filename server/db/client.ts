// The one Prisma client of the web process, over node-postgres (Rust-free client). Its
// connections act as the row-level-security role (app-role.ts).
import { PrismaPg } from "@prisma/adapter-pg";
import { webConfig } from "../core/config.ts";
import { appConnectionOptions } from "./app-role.ts";
import { PrismaClient } from "./generated/client.ts";

export type Db = PrismaClient;

/** A client for `url`; the caller owns it and calls `$disconnect()` when done. */
export function createDb(url: string): Db {
  const adapter = new PrismaPg({ connectionString: url, options: appConnectionOptions });
  return new PrismaClient({ adapter });
}

// Survives hot reload in `next dev`, which re-evaluates modules but keeps globalThis.
const globalForDb = globalThis as unknown as { corralDb?: Db };

/** The process-wide client, created on first use from DATABASE_URL. */
export function db(): Db {
  globalForDb.corralDb ??= createDb(webConfig().DATABASE_URL);
  return globalForDb.corralDb;
}

/**
 * Whether `client` is the process-wide client: the database whose changes this process hears
 * (notify.ts), so the one whose reads may be kept in memory (read-cache.ts).
 */
export const isProcessDb = (client: unknown): boolean =>
  client !== undefined && client === globalForDb.corralDb;

/** What a transaction callback receives; audit writes take one of these. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
