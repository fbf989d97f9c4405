import { CopyButton } from "@/app/_components/copy-button.tsx";

/** A secret shown right after it was made, and never again. */
export function SecretOnce({ title, secret }: { title: string; secret: string }) {
  return (
    <div
      role="status"
      className="space-y-2 rounded-xl border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950"
    >
      <p className="text-sm font-semibold">
        {title} Copy the signing secret now: it will not be shown again.
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <code
          data-testid="new-webhook-secret"
          className="break-all rounded bg-white px-2 py-1 font-mono text-xs dark:bg-zinc-900"
        >
          {secret}
        </code>
        <CopyButton value={secret} />
      </div>
    </div>
  );
}
