"use server";
import { headers } from "next/headers";
import { resendVerification } from "@/server/accounts/email-verification.ts";
import { signOut } from "@/server/auth/auth.ts";
import { currentSession } from "@/server/auth/current-session.ts";
import { requestInfo } from "@/server/auth/request-info.ts";
import { revokeAllSessions } from "@/server/auth/sign-out-everywhere.ts";
import { changesSettled } from "@/server/core/read-cache.ts";
import { db } from "@/server/db/client.ts";

export async function signOutAction() {
  await signOut({ redirectTo: "/sign-in" });
}

export async function signOutEverywhereAction(form: FormData) {
  const session = await currentSession();
  if (session) {
    const request = requestInfo(await headers());
    const revokeApiKeys = form.get("revokeApiKeys") === "on";
    await db().$transaction((tx) =>
      revokeAllSessions(tx, session.user, request, "requested", { revokeApiKeys }),
    );
    // Sessions remembered by this process are forgotten before the answer (read-cache.ts).
    await changesSettled(db());
  }
  await signOut({ redirectTo: "/sign-in" });
}

export async function resendVerificationAction(_prev: { error?: string; done?: string }) {
  const session = await currentSession();
  if (!session) return { error: "Your session ended. Sign in again." };
  await resendVerification(db(), session.user.id);
  return { done: `We sent a new link to ${session.user.email}.` };
}
