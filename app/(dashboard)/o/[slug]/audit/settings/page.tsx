import type { Metadata } from "next";
import { AuditSettingsView } from "./audit-settings-view.tsx";

export const metadata: Metadata = { title: "Audit settings" };

export default async function AuditSettingsPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return <AuditSettingsView orgSlug={slug} />;
}
