/** A placeholder block of the size the content will take, announced as loading. */
export function Skeleton({ label, height }: { label: string; height: "h-40" | "h-48" | "h-64" }) {
  return (
    <div
      role="status"
      aria-busy="true"
      aria-label={label}
      className={`${height} animate-pulse rounded-xl bg-zinc-200 dark:bg-zinc-800`}
    />
  );
}
