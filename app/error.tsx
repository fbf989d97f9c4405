"use client";

// Shown when a page fails to render: what happened, and what to do next.
export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <main className="flex min-h-dvh items-center justify-center p-6">
      <div className="max-w-md space-y-3 text-center">
        <h1 className="text-xl font-semibold">This page could not be shown</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Something went wrong on our side{error.digest ? ` (reference ${error.digest})` : ""}. Try
          again, or come back in a minute.
        </p>
        <button
          type="button"
          onClick={reset}
          className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-semibold text-white hover:bg-indigo-500"
        >
          Try again
        </button>
      </div>
    </main>
  );
}
