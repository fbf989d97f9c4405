import type { ReactNode } from "react";

const tones = {
  error: "bg-red-50 text-red-800 dark:bg-red-950 dark:text-red-200",
  success: "bg-emerald-50 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  info: "bg-indigo-50 text-indigo-900 dark:bg-indigo-950 dark:text-indigo-200",
};

/** A short message about what just happened, read out by screen readers. */
export function Notice({
  tone,
  children,
  testId,
}: {
  tone: keyof typeof tones;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <p role="status" data-testid={testId} className={`rounded-md px-3 py-2 text-sm ${tones[tone]}`}>
      {children}
    </p>
  );
}
