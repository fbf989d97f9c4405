import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-dvh items-center justify-center p-6">
      <div className="max-w-md space-y-3 text-center">
        <h1 className="text-xl font-semibold">Nothing here</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          This page does not exist, or you are not a member of the organisation it belongs to.
        </p>
        <Link
          href="/"
          className="inline-block text-sm font-semibold text-indigo-600 hover:underline dark:text-indigo-400"
        >
          Go to your dashboard
        </Link>
      </div>
    </main>
  );
}
