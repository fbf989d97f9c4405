import type { Metadata } from "next";
import { MembersView } from "./members-view.tsx";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return <MembersView orgSlug={slug} />;
}
