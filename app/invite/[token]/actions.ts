"use server";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { DomainError } from "@/common/errors.ts";
import { currentSession } from "@/server/auth/current-session.ts";
import { requestInfo } from "@/server/auth/request-info.ts";
import { db } from "@/server/db/client.ts";
import { acceptInvitation } from "@/server/invitations/service.ts";

export interface ActionState {
  error?: string;
  done?: string;
}

export async function acceptInvitationAction(
  token: string,
  _prev: ActionState,
): Promise<ActionState> {
  const session = await currentSession();
  if (!session) return { error: "Your session ended. Sign in again to accept." };
  let orgSlug: string;
  try {
    ({ orgSlug } = await acceptInvitation(db(), session.user, token, requestInfo(await headers())));
  } catch (error) {
    if (error instanceof DomainError) return { error: error.message };
    throw error;
  }
  redirect(`/o/${orgSlug}`);
}
