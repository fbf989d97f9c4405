import type { Metadata } from "next";
import { Suspense } from "react";
import { TasksView } from "./tasks-view.tsx";

export const metadata: Metadata = { title: "Tasks" };

export default async function TasksPage(props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  return (
    <Suspense>
      <TasksView orgSlug={slug} />
    </Suspense>
  );
}
