import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { currentSession } from "@/server/auth/current-session.ts";
import { safeCallback } from "./safe-callback.ts";
import { SignInForm } from "./sign-in-form.tsx";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage(props: {
  searchParams: Promise<{ callbackUrl?: string; email?: string; notice?: string }>;
}) {
  const { callbackUrl = "/", email = "", notice } = await props.searchParams;
  if (await currentSession()) redirect(safeCallback(callbackUrl));
  const signUp = `/sign-up?${new URLSearchParams({ callbackUrl, email })}`;
  return (
    <CenteredCard title="Sign in to your organisation">
      {notice === "password-reset" && (
        <Notice tone="success" testId="sign-in-notice">
          Your password was changed and every session was signed out. Sign in with the new one.
        </Notice>
      )}
      <SignInForm callbackUrl={callbackUrl} email={email} />
      <Link
        href="/forgot-password"
        className="block text-center text-sm text-zinc-600 hover:underline dark:text-zinc-400"
      >
        Forgot your password?
      </Link>
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
