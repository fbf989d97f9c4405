"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
// The gateway's latest decisions for one agent, pushed as they are made.
import { useSubscription } from "@trpc/tanstack-react-query";
import { Check, X } from "lucide-react";
import { LiveIndicator } from "@/app/_components/live-indicator.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";

const cell = "px-3 py-2 text-left align-top";
const muted = "text-zinc-600 dark:text-zinc-400";

export function RecentDecisions({ orgSlug, agentId }: { orgSlug: string; agentId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const input = { orgSlug, agentId, limit: 50 };
  // Pushed as they arrive; while the stream is down the query polls instead.
  const live = useSubscription(
    trpc.egress.watchDecisions.subscriptionOptions(input, {
      onData: (data) => queryClient.setQueryData(trpc.egress.decisions.queryKey(input), data),
    }),
  );
  const decisions = useQuery(
    trpc.egress.decisions.queryOptions(input, {
      refetchInterval: live.status === "pending" ? false : 3000,
    }),
  );
  const rows = decisions.data;

  return (
    <section aria-labelledby="decisions-heading" className="space-y-3">
      <h2 id="decisions-heading" className="flex items-center gap-3 text-lg font-semibold">
        Recent decisions <LiveIndicator status={live.status} />
      </h2>
      {!rows ? (
        decisions.error ? (
          <Notice tone="error">
            {decisions.error.message} Retrying; reload the page if this stays.
          </Notice>
        ) : (
          <Skeleton label="Loading recent decisions" height="h-40" />
        )
      ) : rows.length === 0 ? (
        <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
          No requests yet. Every connection and request the agent makes through the gateway appears
          here as it happens, allowed or denied.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-sm" aria-label="Recent gateway decisions">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
              <tr>
                <th className={cell}>Decision</th>
                <th className={cell}>Destination</th>
                <th className={cell}>Method</th>
                <th className={cell}>Path</th>
                <th className={cell}>Status</th>
                <th className={cell}>Reason</th>
                <th className={cell}>Time</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr
                  key={d.id}
                  data-testid="egress-decision"
                  className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                >
                  <td className={`${cell} whitespace-nowrap`}>
                    {d.allowed ? (
                      <span className="inline-flex items-center gap-1 font-medium text-emerald-700 dark:text-emerald-400">
                        <Check aria-hidden="true" className="size-4" /> allowed
                      </span>
                    ) : (
                      <span className="inline-flex items-center gap-1 font-medium text-red-700 dark:text-red-400">
                        <X aria-hidden="true" className="size-4" /> denied
                      </span>
                    )}
                  </td>
                  <td className={`${cell} font-mono text-xs`}>
                    {d.host}:{d.port}
                  </td>
                  <td className={`${cell} font-mono text-xs`}>{d.method || "—"}</td>
                  <td className={`${cell} max-w-xs font-mono text-xs break-all`}>
                    {d.path || "—"}
                  </td>
                  <td className={`${cell} font-mono text-xs`}>{d.status ?? "—"}</td>
                  <td className={`${cell} max-w-sm text-xs ${muted}`}>{d.reason}</td>
                  <td className={`${cell} whitespace-nowrap`}>
                    <RelativeTime date={d.at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
