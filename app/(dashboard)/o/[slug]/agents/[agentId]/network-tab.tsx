"use client";
// The agent's "Network & secrets" tab: the quarantine brake, where it may connect, the secrets
// the gateway adds for it, what the gateway decided lately, and its secret uses.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { can } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";
import { LedgerFeed } from "../../secrets/ledger.tsx";
import { EgressPolicyForm } from "./egress-policy-form.tsx";
import { QuarantineCard } from "./quarantine-card.tsx";
import { RecentDecisions } from "./recent-decisions.tsx";

const cell = "px-3 py-2 text-left align-top";
const muted = "text-zinc-600 dark:text-zinc-400";

export function NetworkTab(props: {
  orgSlug: string;
  agentId: string;
  agentName: string;
  /** Unknown while the organisation loads. */
  role: Role | undefined;
}) {
  const { orgSlug, agentId, agentName, role } = props;
  const trpc = useTRPC();
  const egress = useQuery(trpc.egress.agent.queryOptions({ orgSlug, agentId }));

  if (egress.isPending || !role)
    return <Skeleton label="Loading network and secrets" height="h-64" />;
  if (egress.isError)
    return <Notice tone="error">{egress.error.message} Reload the page to try again.</Notice>;
  const e = egress.data;
  const grantHosts = [...new Set(e.grants.flatMap((g) => g.hosts))];

  return (
    <>
      <QuarantineCard
        orgSlug={orgSlug}
        agentId={agentId}
        agentName={agentName}
        quarantinedAt={e.quarantinedAt}
        reason={e.quarantineReason}
        canQuarantine={can(role, "agent.manage")}
        canRelease={can(role, "egress.manage")}
      />

      <EgressPolicyForm
        // A saved policy from elsewhere starts the form afresh.
        key={JSON.stringify([e.preset, e.rules])}
        orgSlug={orgSlug}
        agentId={agentId}
        preset={e.preset}
        rules={e.rules}
        grantHosts={grantHosts}
        ceiling={e.ceiling}
        editable={can(role, "egress.manage")}
      />

      <section aria-labelledby="grants-heading" className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 id="grants-heading" className="text-lg font-semibold">
            Secrets granted
          </h2>
          <Link href={`/o/${orgSlug}/secrets`} className={secondaryButton}>
            Manage secrets
          </Link>
        </div>
        {e.quarantinedAt && e.grants.length > 0 && (
          <Notice tone="error">Suspended while the agent is quarantined.</Notice>
        )}
        {e.grants.length === 0 ? (
          <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
            No secrets granted to {agentName}. Grant one on the{" "}
            <Link href={`/o/${orgSlug}/secrets`} className="underline">
              Secrets page
            </Link>
            : the gateway adds it to this agent's requests to the hosts you name.
          </p>
        ) : (
          <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
            <table className="w-full text-sm" aria-label="Secrets granted to this agent">
              <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:border-zinc-800 dark:text-zinc-400">
                <tr>
                  <th className={cell}>Secret</th>
                  <th className={cell}>Hosts</th>
                  <th className={cell}>Header</th>
                  <th className={cell}>Placeholder</th>
                  <th className={cell}>Secret last used</th>
                </tr>
              </thead>
              <tbody>
                {e.grants.map((g) => (
                  <tr
                    key={g.id}
                    data-testid="agent-grant"
                    className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                  >
                    <td className={cell}>
                      <span className="font-mono font-medium">{g.secret.name}</span>{" "}
                      <span className={`text-xs ${muted}`}>v{g.secret.version}</span>
                    </td>
                    <td className={`${cell} font-mono text-xs break-all`}>
                      {g.hosts.join(", ")}
                      {g.pathPrefix && <span className={muted}> under {g.pathPrefix}</span>}
                    </td>
                    <td className={`${cell} font-mono text-xs`}>
                      {g.headerName}: {g.headerTemplate}
                    </td>
                    <td className={`${cell} font-mono text-xs`}>
                      {g.placeholderEnv ?? <span className={muted}>none</span>}
                    </td>
                    <td className={`${cell} whitespace-nowrap`}>
                      <RelativeTime date={g.secret.lastUsedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <RecentDecisions orgSlug={orgSlug} agentId={agentId} />

      <LedgerFeed
        orgSlug={orgSlug}
        filters={{ agentId }}
        pageSize={20}
        paging={false}
        showAgent={false}
        heading="Secret uses"
        headingId="agent-uses-heading"
        empty={`${agentName} has not used a secret yet.`}
        footer={
          <Link
            href={`/o/${orgSlug}/secrets/usage?agent=${encodeURIComponent(agentId)}`}
            className="text-sm underline"
          >
            All of {agentName}'s secret uses
          </Link>
        }
      />
    </>
  );
}
