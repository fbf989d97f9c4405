"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { primaryButton, secondaryButton } from "@/app/_components/buttons.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import { PageHeader } from "../../page-header.tsx";
import { LedgerFeed, type LedgerFilters } from "../ledger.tsx";

const input =
  "block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";
const filterFields = ["agent", "secret", "host"] as const;

export function UsageView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  // The URL is the filter state, so a filtered view is a link to share.
  const raw = Object.fromEntries(
    filterFields.map((f) => [f, params.get(f)?.trim() ?? ""]),
  ) as Record<(typeof filterFields)[number], string>;
  const filters: LedgerFilters = {
    ...(raw.agent && { agentId: raw.agent.slice(0, 64) }),
    ...(raw.secret && { secretId: raw.secret.slice(0, 64) }),
    ...(raw.host && { host: raw.host.slice(0, 253) }),
  };
  const query = new URLSearchParams(Object.entries(raw).filter(([, v]) => v)).toString();

  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  const agents = useQuery(trpc.agents.list.queryOptions({ orgSlug }));
  const secrets = useQuery(trpc.secrets.list.queryOptions({ orgSlug }));

  const apply = (form: FormData) => {
    const next = new URLSearchParams();
    for (const f of filterFields) {
      const v = String(form.get(f) ?? "").trim();
      if (v) next.set(f, v);
    }
    router.replace(next.size ? `${pathname}?${next}` : pathname);
  };

  // A filter from a link may name a deleted agent or secret: keep it selectable.
  const agentOptions = agents.data?.agents.map((a) => ({ id: a.id, name: a.name })) ?? [];
  const secretOptions = secrets.data?.map((s) => ({ id: s.id, name: s.name })) ?? [];
  if (raw.agent && !agentOptions.some((a) => a.id === raw.agent))
    agentOptions.push({ id: raw.agent, name: raw.agent });
  if (raw.secret && !secretOptions.some((s) => s.id === raw.secret))
    secretOptions.push({ id: raw.secret, name: raw.secret });

  return (
    <div className="space-y-6">
      <PageHeader
        org={overview.data?.name ?? "…"}
        title="Secret usage"
        parent={{ label: "Secrets", href: `/o/${orgSlug}/secrets` }}
      />
      <p className="max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
        Every request the gateway added a secret to: which agent, which secret and version, where it
        went and what came back. Values are never recorded. See also the{" "}
        <Link href={`/o/${orgSlug}/secrets`} className="underline">
          secrets
        </Link>{" "}
        and their grants.
      </p>

      <form
        aria-label="Filter the ledger"
        key={`filters?${query}`}
        className="grid gap-3 rounded-xl border border-zinc-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4 dark:border-zinc-800 dark:bg-zinc-900"
        onSubmit={(e) => {
          e.preventDefault();
          apply(new FormData(e.currentTarget));
        }}
      >
        <label className="space-y-1 text-sm font-medium">
          <span>Agent</span>
          <select name="agent" defaultValue={raw.agent} className={input}>
            <option value="">any</option>
            {agentOptions.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm font-medium">
          <span>Secret</span>
          <select name="secret" defaultValue={raw.secret} className={input}>
            <option value="">any</option>
            {secretOptions.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1 text-sm font-medium">
          <span>Host</span>
          <input
            name="host"
            defaultValue={raw.host}
            placeholder="api.anthropic.com"
            spellCheck={false}
            className={input}
          />
        </label>
        <div className="flex items-end gap-2">
          <button type="submit" className={primaryButton}>
            Apply filters
          </button>
          {query && (
            <button
              type="button"
              className={secondaryButton}
              onClick={() => router.replace(pathname)}
            >
              Clear
            </button>
          )}
        </div>
      </form>

      <LedgerFeed
        // New filters start a new feed (no older pages from the previous ones).
        key={`feed?${query}`}
        orgSlug={orgSlug}
        filters={filters}
        pageSize={50}
        paging
        showAgent
        heading="Uses"
        headingId="uses-heading"
        empty={
          query
            ? "No uses match these filters."
            : "No secret has been used yet. Each request the gateway adds a secret to appears here as it happens."
        }
      />
    </div>
  );
}
