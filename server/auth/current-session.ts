// The signed-in person for this request: the session id sealed in the cookie, checked against
// the session table, whose answer is kept in memory only until that row (or its user's) changes
// (read-cache.ts).
import "server-only";
import { headers } from "next/headers";
import { webConfig } from "../core/config.ts";
import { ReadCache } from "../core/read-cache.ts";
import { db, isProcessDb } from "../db/client.ts";
import { sessionIdFromCookie } from "./session-cookie.ts";
import { type ValidSession, validateSession } from "./sessions.ts";

// A minute at most, so the table's lastSeenAt is still touched about once a minute.
const sessions = new ReadCache<ValidSession>({ ttlMs: 60_000, maxEntries: 20_000 }, isProcessDb);

export async function currentSession(): Promise<ValidSession | null> {
  const config = webConfig();
  const sid = await sessionIdFromCookie(await headers(), {
    secret: config.AUTH_SECRET,
    secure: config.AUTH_URL.startsWith("https:"),
  });
  if (!sid) return null;
  const database = db();
  const session = await sessions.read(database, sid, async () => {
    const found = await validateSession(database, sid);
    return found && { value: found, tags: [`session:${sid}`, `user:${found.user.id}`] };
  });
  if (session?.expiresAt && session.expiresAt.getTime() <= Date.now()) return null;
  return session;
}
