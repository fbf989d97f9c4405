import type { Metadata } from "next";
import Link from "next/link";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { ForgotForm } from "./forgot-form.tsx";

export const metadata: Metadata = { title: "Forgot your password" };

export default function ForgotPasswordPage() {
  return (
    <CenteredCard title="Reset your password">
      <ForgotForm />
      <Link
        href="/sign-in"
        className="block text-center text-sm font-semibold text-indigo-700 hover:underline dark:text-indigo-300"
      >
        Back to sign in
      </Link>
    </CenteredCard>
  );
}
