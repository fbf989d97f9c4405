import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { currentSession } from "@/server/auth/current-session.ts";
import { safeCallback } from "../sign-in/safe-callback.ts";
import { SignUpForm } from "./sign-up-form.tsx";

export const metadata: Metadata = { title: "Create an account" };
export const dynamic = "force-dynamic";

export default async function SignUpPage(props: {
  searchParams: Promise<{ callbackUrl?: string; email?: string }>;
}) {
  const params = await props.searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentSession()) redirect(callbackUrl);
  const signIn = `/sign-in?${new URLSearchParams({ callbackUrl, email: params.email ?? "" })}`;
  return (
    <CenteredCard title="Create your Corral account">
      <SignUpForm callbackUrl={callbackUrl} email={params.email ?? ""} />
      <p className="text-center text-sm text-zinc-600 dark:text-zinc-400">
        Already have an account?{" "}
        <Link
          href={signIn}
          className="font-semibold text-indigo-700 hover:underline dark:text-indigo-300"
        >
          Sign in
        </Link>
      </p>
    </CenteredCard>
  );
}
