import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditView } from "./audit-view.tsx";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return (
    <Suspense>
      <AuditView orgSlug={slug} />
    </Suspense>
  );
}
