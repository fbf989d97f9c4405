// The signed-in person for this request, checked against the session table every time.
import "server-only";
import { db } from "../db/client.ts";
import { auth } from "./auth.ts";
import { type ValidSession, validateSession } from "./sessions.ts";

export async function currentSession(): Promise<ValidSession | null> {
  const cookieSession = await auth();
  if (!cookieSession?.sid) return null;
  return validateSession(db(), cookieSession.sid);
}
