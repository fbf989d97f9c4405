"use client";
import { useInfiniteQuery, useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { primaryButton, secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { type AuditFilters, auditFilterSchema } from "@/server/audit/filters.ts";
import { PageHeader } from "../page-header.tsx";
import { type AuditEventView, EventDrawer } from "./event-drawer.tsx";
import { ExportButtons } from "./export-buttons.tsx";

const filterFields = ["actor", "action", "target", "outcome", "from", "to", "q"] as const;
const cell = "px-3 py-2 text-left align-top";
const input =
  "block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";

export function AuditView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  // The URL is the filter state, so every filtered view is a link to share.
  const raw = Object.fromEntries(filterFields.map((f) => [f, params.get(f) ?? ""]));
  const parsed = auditFilterSchema.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v)),
  );
  const filters: AuditFilters = parsed.success ? parsed.data : {};
  const [selected, setSelected] = useState<AuditEventView | null>(null);

  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  const events = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { orgSlug, filters, limit: 50 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
  );
  const verify = useMutation(trpc.audit.verify.mutationOptions());

  const apply = (form: FormData) => {
    const next = new URLSearchParams();
    for (const f of filterFields) {
      const v = String(form.get(f) ?? "").trim();
      if (v) next.set(f, v);
    }
    router.replace(`${pathname}?${next}`);
  };
  const rows = events.data?.pages.flatMap((p) => p.events) ?? [];
  const query = new URLSearchParams(Object.entries(raw).filter(([, v]) => v)).toString();

  return (
    <div className="space-y-6">
      <PageHeader org={overview.data?.name ?? "…"} title="Audit log" />

      <form
        aria-label="Filter the audit log"
        className="grid gap-3 rounded-xl border border-zinc-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4 dark:border-zinc-800 dark:bg-zinc-900"
        onSubmit={(e) => {
          e.preventDefault();
          apply(new FormData(e.currentTarget));
        }}
        key={query}
      >
        {(
          [
            ["actor", "Actor", "name or id"],
            ["action", "Action", "member. or member.invited"],
            ["target", "Target", "name or id"],
            ["q", "Search", "any text"],
          ] as const
        ).map(([name, label, placeholder]) => (
          <label key={name} className="space-y-1 text-sm font-medium">
            <span>{label}</span>
            <input
              name={name}
              defaultValue={raw[name]}
              placeholder={placeholder}
              className={input}
            />
          </label>
        ))}
        <label className="space-y-1 text-sm font-medium">
          <span>Outcome</span>
          <select name="outcome" defaultValue={raw.outcome} className={input}>
            <option value="">any</option>
            <option value="SUCCESS">success</option>
            <option value="FAILURE">failure</option>
            <option value="DENIED">denied</option>
          </select>
        </label>
        <label className="space-y-1 text-sm font-medium">
          <span>From</span>
          <input type="datetime-local" name="from" defaultValue={raw.from} className={input} />
        </label>
        <label className="space-y-1 text-sm font-medium">
          <span>To</span>
          <input type="datetime-local" name="to" defaultValue={raw.to} className={input} />
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
      {!parsed.success && (
        <Notice tone="error">Some filters in this link are not valid and were ignored.</Notice>
      )}

      <div className="flex flex-wrap items-center justify-between gap-3">
        <ExportButtons orgSlug={orgSlug} query={query} />
        <div className="flex items-center gap-2">
          {verify.data && (
            <span role="status" data-testid="verify-chain-result" className="text-sm">
              {verify.data.ok
                ? `Chain intact: ${verify.data.checked} events verified${verify.data.fromSeq > 1 ? ` from #${verify.data.fromSeq} (older ones purged by retention, checkpoint signed)` : ""}.`
                : `Chain broken at event ${verify.data.broken?.eventId} (${verify.data.broken?.problem}).`}
            </span>
          )}
          {verify.error && <Notice tone="error">{verify.error.message}</Notice>}
          <button
            type="button"
            className={secondaryButton}
            onClick={() => verify.mutate({ orgSlug })}
            disabled={verify.isPending}
          >
            {verify.isPending ? "Verifying…" : "Verify chain"}
          </button>
          <Link href={`/o/${orgSlug}/audit/settings`} className={secondaryButton}>
            Retention &amp; webhooks
          </Link>
        </div>
      </div>

      {events.isPending ? (
        <Skeleton label="Loading events" height="h-48" />
      ) : events.isError ? (
        <Notice tone="error">{events.error.message}</Notice>
      ) : rows.length === 0 ? (
        <p className="rounded-xl border border-dashed border-zinc-300 p-8 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {query ? "No events match these filters." : "No events yet."}
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-sm">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:text-zinc-400 dark:border-zinc-800">
              <tr>
                <th className={cell}>When</th>
                <th className={cell}>Actor</th>
                <th className={cell}>Action</th>
                <th className={cell}>Target</th>
                <th className={cell}>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr
                  key={e.id}
                  data-testid="audit-row"
                  className="border-b border-zinc-100 last:border-0 hover:bg-zinc-50 dark:border-zinc-800 dark:hover:bg-zinc-800/50"
                >
                  <td className={cell}>
                    <RelativeTime date={e.occurredAt} />
                  </td>
                  <td className={cell}>{e.actorName}</td>
                  <td className={cell}>
                    <button
                      type="button"
                      className="font-mono text-indigo-700 hover:underline dark:text-indigo-300"
                      onClick={() => setSelected(e)}
                    >
                      {e.action}
                    </button>
                  </td>
                  <td className={cell}>{e.targetName ?? ""}</td>
                  <td className={cell}>{e.outcome.toLowerCase()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {events.hasNextPage && (
        <button
          type="button"
          className={secondaryButton}
          onClick={() => events.fetchNextPage()}
          disabled={events.isFetchingNextPage}
        >
          {events.isFetchingNextPage ? "Loading…" : "Load older events"}
        </button>
      )}
      <EventDrawer event={selected} onClose={() => setSelected(null)} />
    </div>
  );
}
