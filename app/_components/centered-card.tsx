import type { ReactNode } from "react";

/** The layout of the pages outside an organisation: sign-in, sign-up, invitations. */
export function CenteredCard({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: string;
  children: ReactNode;
}) {
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm space-y-6">
        <div className="space-y-1 text-center">
          <p className="text-2xl font-bold tracking-tight">Corral</p>
          <h1 className="text-sm text-zinc-600 dark:text-zinc-400">{title}</h1>
          {subtitle && <p className="text-xs text-zinc-600 dark:text-zinc-400">{subtitle}</p>}
        </div>
        <div className="space-y-4 rounded-xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
          {children}
        </div>
      </div>
    </main>
  );
}
