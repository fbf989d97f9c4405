import { redirect } from "next/navigation";
import { currentSession } from "@/server/auth/current-session.ts";
import { db } from "@/server/db/client.ts";

export const dynamic = "force-dynamic";

// The front door: your first organisation when signed in, the sign-in page otherwise.
export default async function Home() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  const membership = await db().membership.findFirst({
    where: { userId: session.user.id },
    include: { org: { select: { slug: true } } },
    orderBy: { createdAt: "asc" },
  });
  if (!membership) redirect("/organizations/new");
  redirect(`/o/${membership.org.slug}`);
}
