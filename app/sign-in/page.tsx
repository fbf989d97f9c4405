import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { currentSession } from "@/server/auth/current-session.ts";
import { webConfig } from "@/server/core/config.ts";
import { OtherWaysToSignIn } from "./other-ways.tsx";
import { safeCallback } from "./safe-callback.ts";
import { SignInForm } from "./sign-in-form.tsx";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

// What Auth.js's `?error=` codes mean for the person signing in.
const authErrors: Record<string, string> = {
  Verification: "That sign-in link has expired or was already used. Ask for a new one.",
  OAuthAccountNotLinked: "This email already belongs to an account that signs in another way.",
  AccessDenied: "Sign-in was refused.",
  Configuration: "Sign-in is misconfigured on this server. Tell your administrator.",
  Default: "Sign-in did not complete. Try again.",
};

export default async function SignInPage(props: {
  searchParams: Promise<{ callbackUrl?: string; email?: string; notice?: string; error?: string }>;
}) {
  const { callbackUrl = "/", email = "", notice, error } = await props.searchParams;
  if (await currentSession()) redirect(safeCallback(callbackUrl));
  const signUp = `/sign-up?${new URLSearchParams({ callbackUrl, email })}`;
  return (
    <CenteredCard title="Sign in to your organisation">
      {notice === "password-reset" && (
        <Notice tone="success" testId="sign-in-notice">
          Your password was changed and every session was signed out. Sign in with the new one.
        </Notice>
      )}
      {error && (
        <Notice tone="error" testId="sign-in-error">
          {authErrors[error] ?? authErrors.Default}
        </Notice>
      )}
      <SignInForm callbackUrl={callbackUrl} email={email} />
      <Link
        href="/forgot-password"
        className="block text-center text-sm text-zinc-600 hover:underline dark:text-zinc-400"
      >
        Forgot your password?
      </Link>
      <OtherWaysToSignIn
        callbackUrl={safeCallback(callbackUrl)}
        email={email}
        ssoName={webConfig().CORRAL_OIDC_ISSUER ? webConfig().CORRAL_OIDC_NAME : null}
      />
      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
        New to Corral?{" "}
        <Link
          href={signUp}
          className="font-semibold text-indigo-700 hover:underline dark:text-indigo-300"
        >
          Create an account
        </Link>
      </p>
    </CenteredCard>
  );
}
