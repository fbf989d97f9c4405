import type { Metadata } from "next";
import Link from "next/link";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { Notice } from "@/app/_components/notice.tsx";

export const metadata: Metadata = { title: "Check your email" };

export default function CheckEmailPage() {
  return (
    <CenteredCard title="Check your email">
      <Notice tone="info" testId="check-email">
        We sent you a sign-in link. Open it on this device to continue; it works once.
      </Notice>
      <Link
        href="/sign-in"
        className="block text-center text-sm font-semibold text-indigo-700 hover:underline dark:text-indigo-300"
      >
        Back to sign in
      </Link>
    </CenteredCard>
  );
}
