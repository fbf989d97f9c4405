import type { Metadata } from "next";
import { SecretsView } from "./secrets-view.tsx";

export const metadata: Metadata = { title: "Secrets" };

export default async function SecretsPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return <SecretsView orgSlug={slug} />;
}
