import { OverviewSkeleton } from "./overview-skeleton.tsx";

export default function Loading() {
  return <OverviewSkeleton />;
}
