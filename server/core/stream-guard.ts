// Live streams (tRPC subscriptions over server-sent events) end when their caller's access
// does: every few seconds the tenant check runs again on fresh rows (the session or key, the
// membership, the role), and a stream whose caller was removed, signed out or revoked stops,
// even while it waits for its next change. Each person holds a bounded number of streams.
import { TRPCError } from "@trpc/server";
import type { AuthenticatedKey } from "../api-keys/authenticate.ts";
import type { Permission } from "../auth/permissions.ts";
import type { ValidSession } from "../auth/sessions.ts";
import { validateSession } from "../auth/sessions.ts";
import type { Db } from "../db/client.ts";
import { resolveTenantAccess } from "./tenant-access.ts";

export const recheckEveryMs = 5000;
export const maxStreamsPerPerson = 20;

const open = new Map<string, number>();

interface Caller {
  db: Db;
  session: ValidSession | null;
  apiKey?: AuthenticatedKey | null;
}

/**
 * The caller's access now, from the database rows: "gone" once it is, "unknown" when the check
 * itself failed (a busy pool, a dropped connection). Only "gone" ends a stream: a hiccup must
 * not silently freeze a page that is following a live task.
 */
async function accessNow(
  ctx: Caller,
  orgSlug: string,
  permission: Permission,
): Promise<"allowed" | "gone" | "unknown"> {
  try {
    const session = ctx.session ? await validateSession(ctx.db, ctx.session.id) : null;
    let apiKey: AuthenticatedKey | null = null;
    if (ctx.apiKey) {
      const row = await ctx.db.apiKey.findUnique({
        where: { id: ctx.apiKey.id },
        select: { revokedAt: true, expiresAt: true },
      });
      const live =
        row && !row.revokedAt && (!row.expiresAt || row.expiresAt.getTime() > Date.now());
      apiKey = live ? ctx.apiKey : null;
    }
    if (!session && !apiKey) return "gone";
    await resolveTenantAccess({ db: ctx.db, session, apiKey }, orgSlug, permission);
    return "allowed";
  } catch (error) {
    // The tenant check refuses with a TRPCError; anything else is the check failing.
    return error instanceof TRPCError ? "gone" : "unknown";
  }
}

/** Wraps a subscription's stream so it ends when the caller's access does. */
export function guardStream<T>(
  stream: AsyncIterable<T>,
  ctx: Caller,
  access: { orgSlug: string; permission: Permission },
): AsyncIterable<T> {
  const who = ctx.session?.user.id ?? ctx.apiKey?.user.id ?? "anonymous";
  const count = open.get(who) ?? 0;
  if (count >= maxStreamsPerPerson)
    throw new TRPCError({
      code: "TOO_MANY_REQUESTS",
      message: `At most ${maxStreamsPerPerson} live views at once per person: close some tabs.`,
    });
  open.set(who, count + 1);
  return {
    async *[Symbol.asyncIterator]() {
      const iterator = stream[Symbol.asyncIterator]();
      let lost = false;
      let wake: () => void = () => {};
      const timer = setInterval(async () => {
        if ((await accessNow(ctx, access.orgSlug, access.permission)) !== "gone") return;
        lost = true;
        wake();
      }, recheckEveryMs);
      try {
        while (!lost) {
          const revoked = new Promise<"lost">((resolve) => {
            wake = () => resolve("lost");
          });
          const next = await Promise.race([iterator.next(), revoked]);
          if (next === "lost" || next.done) break;
          yield next.value;
        }
      } finally {
        clearInterval(timer);
        open.set(who, (open.get(who) ?? 1) - 1);
        if (open.get(who) === 0) open.delete(who);
        // Ends the inner stream's loop (it may be waiting on its timer; it stops at its next check).
        void iterator.return?.(undefined);
      }
    },
  };
}
