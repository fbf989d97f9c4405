import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { verifyEmail } from "@/server/accounts/email-verification.ts";
import { requestInfo } from "@/server/auth/request-info.ts";
import { db } from "@/server/db/client.ts";

export const metadata: Metadata = { title: "Confirm your email" };
export const dynamic = "force-dynamic";

const problems = {
  invalid:
    "This confirmation link is not valid. Open the newest email we sent you, or ask for a new one.",
  expired: "This confirmation link has expired. Sign in and ask for a new one.",
  used: "This confirmation link was already used. Your address is confirmed if you used it yourself.",
};

export default async function VerifyEmailPage(props: {
  searchParams: Promise<{ token?: string }>;
}) {
  const { token } = await props.searchParams;
  const result = token ? await verifyEmail(db(), token, requestInfo(await headers())) : null;
  return (
    <CenteredCard title="Confirm your email">
      {result?.ok ? (
        <Notice tone="success" testId="verify-result">
          {result.email} is confirmed.
        </Notice>
      ) : (
        <Notice tone="error" testId="verify-result">
          {problems[result?.reason ?? "invalid"]}
        </Notice>
      )}
      <Link
        href="/"
        className="block text-center text-sm font-semibold text-indigo-700 hover:underline dark:text-indigo-300"
      >
        Continue to Corral
      </Link>
    </CenteredCard>
  );
}
