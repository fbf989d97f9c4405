import type { Metadata } from "next";
import { SettingsView } from "./settings-view.tsx";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return <SettingsView orgSlug={slug} />;
}
