import { notFound, redirect } from "next/navigation";
import type { ReactNode } from "react";
import { currentSession } from "@/server/auth/current-session.ts";
import { db } from "@/server/db/client.ts";
import { Sidebar } from "../../_shell/sidebar.tsx";
import { VerifyEmailBanner } from "../../_shell/verify-email-banner.tsx";

export const dynamic = "force-dynamic";

// The dashboard shell for one organisation: navigation beside the page.
export default async function OrgLayout(props: {
  children: ReactNode;
  params: Promise<{ slug: string }>;
}) {
  const { slug } = await props.params;
  const session = await currentSession();
  if (!session) redirect(`/sign-in?callbackUrl=${encodeURIComponent(`/o/${slug}`)}`);
  const memberships = await db().membership.findMany({
    where: { userId: session.user.id },
    include: { org: { select: { slug: true, name: true } } },
    orderBy: { org: { name: "asc" } },
  });
  const operator = await db().user.findUnique({
    where: { id: session.user.id },
    select: { isOperator: true },
  });
  const orgs = memberships.map((m) => ({ slug: m.org.slug, name: m.org.name, role: m.role }));
  const current = orgs.find((o) => o.slug === slug);
  if (!current) notFound();
  return (
    <div className="flex min-h-dvh flex-col md:flex-row">
      <Sidebar
        user={session.user}
        orgs={orgs}
        current={current}
        operator={Boolean(operator?.isOperator)}
      />
      {/* min-w-0: wide tables scroll inside the page instead of widening it. */}
      <main className="min-w-0 flex-1 space-y-6 p-6 md:p-10">
        {!session.user.emailVerified && <VerifyEmailBanner email={session.user.email} />}
        {props.children}
      </main>
    </div>
  );
}
