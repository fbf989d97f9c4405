import type { Metadata } from "next";
import { AgentsView } from "./agents-view.tsx";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return <AgentsView orgSlug={slug} />;
}
