// The one Prisma client of the web process, over node-postgres (Rust-free client). Its
// connections act as the row-level-security role (app-role.ts).
import { PrismaPg } from "@prisma/adapter-pg";
import { webConfig } from "../core/config.ts";
import { appConnectionOptions } from "./app-role.ts";
import { PrismaClient } from "./generated/client.ts";

export type Db = PrismaClient;

/**
 * A client for `url`, with at most `connections` at once (node-postgres' 10 by default);
 * the caller owns it and calls `$disconnect()` when done.
 */
export function createDb(url: string, connections?: number): Db {
  const adapter = new PrismaPg({
    connectionString: url,
    options: appConnectionOptions,
    ...(connections && { max: connections }),
  });
  return new PrismaClient({ adapter });
}

// Survives hot reload in `next dev`, which re-evaluates modules but keeps globalThis.
const globalForDb = globalThis as unknown as { corralDb?: Db; corralLivenessDb?: Db };

/** The process-wide client, created on first use from DATABASE_URL. */
export function db(): Db {
  globalForDb.corralDb ??= createDb(webConfig().DATABASE_URL);
  return globalForDb.corralDb;
}

/**
 * A second, small pool for hosts' heartbeats alone: when a fleet's reports hold every
 * connection of the main pool, beats queued behind them arrived past the deadline and live
 * hosts were marked lost, whose sandboxes then moved and added to the rush (#15).
 */
export function livenessDb(): Db {
  globalForDb.corralLivenessDb ??= createDb(webConfig().DATABASE_URL, 2);
  return globalForDb.corralLivenessDb;
}

/**
 * Whether `client` is the process-wide client: the database whose changes this process hears
 * (notify.ts), so the one whose reads may be kept in memory (read-cache.ts).
 */
export const isProcessDb = (client: unknown): boolean =>
  client !== undefined && client === globalForDb.corralDb;

/** What a transaction callback receives; audit writes take one of these. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
