import type { Metadata } from "next";
import { Suspense } from "react";
import { AgentDetail } from "./agent-detail.tsx";

export const metadata: Metadata = { title: "Agent" };

export default async function AgentPage(props: {
  params: Promise<{ slug: string; agentId: string }>;
}) {
  const { slug, agentId } = await props.params;
  return (
    <Suspense>
      <AgentDetail orgSlug={slug} agentId={agentId} />
    </Suspense>
  );
}
