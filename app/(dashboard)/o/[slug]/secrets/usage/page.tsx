import type { Metadata } from "next";
import { Suspense } from "react";
import { UsageView } from "./usage-view.tsx";

export const metadata: Metadata = { title: "Secret usage" };

export default async function SecretUsagePage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return (
    <Suspense>
      <UsageView orgSlug={slug} />
    </Suspense>
  );
}
