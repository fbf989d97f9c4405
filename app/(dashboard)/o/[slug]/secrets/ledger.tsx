"use client";
// The secret-use ledger: every request the gateway added a secret to, newest first, pushed as
// it arrives (polled while the stream is down), with older rows loaded page by page.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useSubscription } from "@trpc/tanstack-react-query";
import Link from "next/link";
import { type ReactNode, useEffect, useState } from "react";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { LiveIndicator } from "@/app/_components/live-indicator.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import type { AppRouter } from "@/server/root-router.ts";

export type SecretUse = inferRouterOutputs<AppRouter>["secrets"]["uses"][number];

export interface LedgerFilters {
  agentId?: string;
  secretId?: string;
  host?: string;
}

const cell = "px-3 py-2 text-left align-top";
const muted = "text-zinc-600 dark:text-zinc-400";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Both lists' rows once each, newest (highest id) first. */
function merge(...lists: SecretUse[][]): SecretUse[] {
  const byId = new Map<string, SecretUse>();
  for (const list of lists) for (const row of list) byId.set(row.id, row);
  return [...byId.values()].sort((a, b) => {
    const x = BigInt(a.id);
    const y = BigInt(b.id);
    return x > y ? -1 : x < y ? 1 : 0;
  });
}

function StatusCode({ status }: { status: number }) {
  const tone =
    status >= 200 && status < 400
      ? "text-emerald-700 dark:text-emerald-400"
      : "text-red-700 dark:text-red-400";
  return <span className={`font-mono ${tone}`}>{status}</span>;
}

export function LedgerFeed(props: {
  orgSlug: string;
  filters: LedgerFilters;
  pageSize: number;
  /** "Load older" below the table. */
  paging: boolean;
  showAgent: boolean;
  heading: ReactNode;
  headingId: string;
  empty: ReactNode;
  footer?: ReactNode;
}) {
  const { orgSlug, filters, pageSize, paging, showAgent } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = { orgSlug, ...filters, limit: pageSize };
  const live = useSubscription(
    trpc.secrets.watchUses.subscriptionOptions(input, {
      onData: (rows) => queryClient.setQueryData(trpc.secrets.uses.queryKey(input), rows),
    }),
  );
  const latest = useQuery(
    trpc.secrets.uses.queryOptions(input, {
      refetchInterval: live.status === "pending" ? false : 3000,
    }),
  );
  const [older, setOlder] = useState<SecretUse[]>([]);
  const [end, setEnd] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);
  const newest = latest.data;

  // Once older pages are shown, rows the newest page moves past stay in the list.
  useEffect(() => {
    if (newest) setOlder((o) => (o.length ? merge(o, newest) : o));
  }, [newest]);

  const rows = merge(newest ?? [], older);
  const loadOlder = async () => {
    const last = rows.at(-1);
    if (!last) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await queryClient.fetchQuery(
        trpc.secrets.uses.queryOptions({ ...input, before: last.id }),
      );
      setOlder((o) => merge(o, newest ?? [], page));
      if (page.length < pageSize) setEnd(true);
    } catch (error) {
      setOlderError(error instanceof Error ? error.message : String(error));
    } finally {
      setLoadingOlder(false);
    }
  };

  return (
    <section aria-labelledby={props.headingId} className="space-y-3">
      <h2 id={props.headingId} className="flex items-center gap-3 text-lg font-semibold">
        {props.heading} <LiveIndicator status={live.status} />
      </h2>
      {latest.isPending ? (
        <Skeleton label="Loading the ledger" height="h-40" />
      ) : latest.isError ? (
        <Notice tone="error">{latest.error.message} Reload the page to try again.</Notice>
      ) : rows.length === 0 ? (
        <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          {props.empty}
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-sm" aria-label="Secret uses">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <th className={cell}>Time</th>
                {showAgent && <th className={cell}>Agent</th>}
                <th className={cell}>Secret</th>
                <th className={cell}>Version</th>
                <th className={cell}>Method</th>
                <th className={cell}>Host</th>
                <th className={cell}>Path</th>
                <th className={cell}>Status</th>
                <th className={`${cell} text-right`}>Bytes</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr
                  key={u.id}
                  data-testid="secret-use"
                  className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                >
                  <td className={`${cell} whitespace-nowrap`}>
                    <RelativeTime date={u.at} />
                  </td>
                  {showAgent && (
                    <td className={cell}>
                      <Link
                        href={`/o/${orgSlug}/agents/${u.agentId}`}
                        className="underline-offset-2 hover:underline"
                      >
                        {u.agentName}
                      </Link>
                    </td>
                  )}
                  <td className={`${cell} font-mono text-xs`}>{u.secretName}</td>
                  <td className={cell}>v{u.version}</td>
                  <td className={`${cell} font-mono text-xs`}>{u.method}</td>
                  <td className={`${cell} font-mono text-xs`}>{u.host}</td>
                  <td className={`${cell} max-w-xs font-mono text-xs break-all`}>{u.path}</td>
                  <td className={cell}>
                    <StatusCode status={u.status} />
                  </td>
                  <td className={`${cell} text-right whitespace-nowrap ${muted}`}>
                    {formatBytes(u.bytes)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {olderError && <Notice tone="error">{olderError}</Notice>}
      {paging && !end && rows.length >= pageSize && (
        <button
          type="button"
          className={secondaryButton}
          onClick={loadOlder}
          disabled={loadingOlder}
        >
          {loadingOlder ? "Loading…" : "Load older"}
        </button>
      )}
      {paging && end && <p className={`text-sm ${muted}`}>That is the oldest use.</p>}
      {props.footer}
    </section>
  );
}
