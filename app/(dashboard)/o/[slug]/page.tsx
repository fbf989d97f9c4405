import type { Metadata } from "next";
import { Overview } from "./overview.tsx";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return <Overview orgSlug={slug} />;
}
