import type { Metadata } from "next";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { ResetForm } from "./reset-form.tsx";

export const metadata: Metadata = { title: "Choose a new password" };
export const dynamic = "force-dynamic";

export default async function ResetPasswordPage(props: {
  searchParams: Promise<{ token?: string }>;
}) {
  const { token = "" } = await props.searchParams;
  return (
    <CenteredCard
      title="Choose a new password"
      subtitle="Every device signed in to your account will be signed out."
    >
      <ResetForm token={token} />
    </CenteredCard>
  );
}
