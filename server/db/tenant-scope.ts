// The database side of the tenant procedure: a client whose every statement runs in a
// transaction scoped to one organisation, so row-level security hides other tenants' rows
// even from a query that forgot its `where: { orgId }`. See app-role.ts for the role and
// the migration `*_row_level_security` for the policies.

import { systemScope } from "./app-role.ts";
import type { Db, Tx } from "./client.ts";

type Scoped = (tx: Tx) => Promise<unknown>;

const bases = new WeakMap<object, Db>();

/**
 * The client a scoped client narrows (or `db` itself): to recognise the process-wide client
 * behind a tenant's, e.g. for read-cache.ts. Never for queries: they would leave the scope.
 */
export const unscoped = (db: Db): Db => bases.get(db) ?? db;

const narrowTo =
  (orgId: string): Scoped =>
  (tx) =>
    tx.$executeRaw`SELECT set_config('corral.org_id', ${orgId}, true)`;

const rawOperations = new Set(["$queryRaw", "$executeRaw", "$queryRawUnsafe", "$executeRawUnsafe"]);

const isModelDelegate = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && "findMany" in value;

/**
 * `base`, narrowed to organisation `orgId`. Interactive transactions are scoped once at
 * their start; a statement outside one runs in a transaction of its own with the scope set
 * first. The array form of `$transaction` is refused: its statements would already have run.
 */
export function scopedDb(base: Db, orgId: string): Db {
  const scope = narrowTo(orgId);
  // A statement's own transaction waits and runs as long as a plain statement could.
  const inScope = <T>(run: (tx: Tx) => Promise<T>) =>
    base.$transaction(
      async (tx) => {
        await scope(tx);
        return run(tx);
      },
      { maxWait: 10_000, timeout: 10 * 60_000 },
    );
  const scoped = new Proxy(base, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property === "$transaction") {
        return (work: unknown, options?: Parameters<Db["$transaction"]>[1]) => {
          if (typeof work !== "function")
            throw new Error("A tenant-scoped client takes only the callback form of $transaction.");
          return base.$transaction(async (tx) => {
            await scope(tx);
            return (work as (tx: Tx) => Promise<unknown>)(tx);
          }, options);
        };
      }
      if (typeof property === "string" && rawOperations.has(property)) {
        return (...args: unknown[]) =>
          inScope((tx) =>
            (tx[property as "$queryRawUnsafe"] as (...a: unknown[]) => Promise<unknown>)(...args),
          );
      }
      if (typeof property === "string" && isModelDelegate(value)) {
        return new Proxy(value, {
          get(delegate, operation) {
            const method = Reflect.get(delegate, operation);
            if (typeof method !== "function") return method;
            return (...args: unknown[]) =>
              inScope((tx) => {
                const txDelegate = Reflect.get(tx, property) as object;
                return Reflect.apply(
                  Reflect.get(txDelegate, operation),
                  txDelegate,
                  args,
                ) as Promise<unknown>;
              });
          },
        });
      }
      return value;
    },
  });
  bases.set(scoped, base);
  return scoped;
}

/**
 * Runs `work` inside `tx` with the scope widened to every tenant, then narrows it back. For
 * the few steps of a tenant's request that must see the whole fleet (placing its sandbox
 * beside other tenants'); every such call site is a deliberate, reviewed exception.
 */
export async function withSystemScope<T>(tx: Tx, work: () => Promise<T>): Promise<T> {
  const [current] = await tx.$queryRaw<{ scope: string | null }[]>`
    SELECT current_setting('corral.org_id', true) AS scope`;
  await tx.$executeRaw`SELECT set_config('corral.org_id', ${systemScope}, true)`;
  const narrow = () =>
    tx.$executeRaw`SELECT set_config('corral.org_id', ${current?.scope ?? ""}, true)`;
  let result: T;
  try {
    result = await work();
  } catch (error) {
    // Narrowed again if the transaction still takes statements (a refusal thrown by code);
    // after a failed statement it takes none, and the first error is the one to report.
    await narrow().catch(() => undefined);
    throw error;
  }
  await narrow();
  return result;
}
