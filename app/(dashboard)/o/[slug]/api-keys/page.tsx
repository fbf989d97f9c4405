import type { Metadata } from "next";
import { ApiKeysView } from "./api-keys-view.tsx";

export const metadata: Metadata = { title: "API keys" };

export default async function ApiKeysPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return <ApiKeysView orgSlug={slug} />;
}
