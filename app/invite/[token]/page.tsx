import type { Metadata } from "next";
import Link from "next/link";
import { ActionButton } from "@/app/_components/action-button.tsx";
import { primaryButton, secondaryButton } from "@/app/_components/buttons.ts";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { currentSession } from "@/server/auth/current-session.ts";
import { db } from "@/server/db/client.ts";
import { inspectInvitation, invitationProblems } from "@/server/invitations/service.ts";
import { resendVerificationAction } from "../../(dashboard)/_shell/actions.ts";
import { SignOutButton } from "../../(dashboard)/_shell/sign-out-button.tsx";
import { acceptInvitationAction } from "./actions.ts";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

export default async function InvitationPage(props: { params: Promise<{ token: string }> }) {
  const { token } = await props.params;
  const invitation = await inspectInvitation(db(), token);
  if (invitation.state !== "pending") {
    return (
      <CenteredCard title="Invitation">
        <Notice tone="error" testId="invite-problem">
          {invitationProblems[invitation.state]}
        </Notice>
        <Link
          href="/"
          className="block text-center text-sm font-semibold text-indigo-700 hover:underline dark:text-indigo-300"
        >
          Go to Corral
        </Link>
      </CenteredCard>
    );
  }

  const here = `/invite/${token}`;
  const session = await currentSession();
  const summary = (
    <p className="text-sm" data-testid="invite-summary">
      {invitation.inviterName} invited <strong>{invitation.email}</strong> to join{" "}
      <strong>{invitation.orgName}</strong> as {invitation.role.toLowerCase()}.
    </p>
  );

  if (!session) {
    const params = new URLSearchParams({ callbackUrl: here, email: invitation.email });
    return (
      <CenteredCard title={`Join ${invitation.orgName}`}>
        {summary}
        <Link href={`/sign-up?${params}`} className={`block text-center ${primaryButton}`}>
          Create an account to accept
        </Link>
        <Link href={`/sign-in?${params}`} className={`block text-center ${secondaryButton}`}>
          I already have an account
        </Link>
      </CenteredCard>
    );
  }

  if (session.user.email !== invitation.email) {
    return (
      <CenteredCard title={`Join ${invitation.orgName}`}>
        {summary}
        <Notice tone="error">
          This invitation is for {invitation.email}, but you are signed in as {session.user.email}.
          Sign out and sign in with the invited address.
        </Notice>
        <SignOutButton />
      </CenteredCard>
    );
  }

  if (!session.user.emailVerified) {
    return (
      <CenteredCard title={`Join ${invitation.orgName}`}>
        {summary}
        <Notice tone="info" testId="verify-first">
          Confirm your email address first: open the link we sent to {session.user.email}, then come
          back here.
        </Notice>
        <ActionButton
          action={resendVerificationAction}
          label="Send the confirmation link again"
          pendingLabel="Sending…"
          className={`w-full ${secondaryButton}`}
        />
      </CenteredCard>
    );
  }

  return (
    <CenteredCard title={`Join ${invitation.orgName}`}>
      {summary}
      <ActionButton
        action={acceptInvitationAction.bind(null, token)}
        label={`Join ${invitation.orgName}`}
        pendingLabel="Joining…"
        className={`w-full ${primaryButton}`}
      />
    </CenteredCard>
  );
}
