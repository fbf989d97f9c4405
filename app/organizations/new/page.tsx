import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CenteredCard } from "@/app/_components/centered-card.tsx";
import { currentSession } from "@/server/auth/current-session.ts";
import { CreateOrganizationForm } from "./create-organization-form.tsx";

export const metadata: Metadata = { title: "New organisation" };
export const dynamic = "force-dynamic";

export default async function NewOrganizationPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in?callbackUrl=%2Forganizations%2Fnew");
  return (
    <CenteredCard
      title="Create an organisation"
      subtitle="Your team, its agents and its audit log live here."
    >
      <CreateOrganizationForm />
    </CenteredCard>
  );
}
