import type { Metadata } from "next";
import { FleetView } from "./fleet-view.tsx";

export const metadata: Metadata = { title: "Fleet" };

export default async function FleetPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return <FleetView orgSlug={slug} />;
}
