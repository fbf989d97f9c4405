"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useRef } from "react";
import { toast } from "sonner";
import { secondaryButton } from "@/app/_components/buttons.ts";
import { ConfirmButton } from "@/app/_components/confirm-button.tsx";
import { DataTable } from "@/app/_components/data-table.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { can } from "@/server/auth/permissions.ts";
import type { AppRouter } from "@/server/root-router.ts";
import { PageHeader } from "../page-header.tsx";
import { CreateSecretForm } from "./create-secret-form.tsx";
import { GrantForm, type GrantFormHandle } from "./grant-form.tsx";
import { DeleteSecret, EditSecretDescription, RotateSecret } from "./secret-actions.tsx";

type Secret = inferRouterOutputs<AppRouter>["secrets"]["list"][number];
type Grant = Secret["grants"][number];

const muted = "text-zinc-600 dark:text-zinc-400";
const smallDanger =
  "rounded-md border border-red-300 px-2 py-0.5 text-xs font-medium text-red-700 hover:bg-red-50 disabled:opacity-60 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950";

export function SecretsView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  // Last use changes as agents work: keep it fresh while the page is open.
  const secrets = useQuery(
    trpc.secrets.list.queryOptions({ orgSlug }, { refetchInterval: 10_000 }),
  );
  const agents = useQuery(trpc.agents.list.queryOptions({ orgSlug }));
  const grantForm = useRef<GrantFormHandle>(null);

  if (overview.isPending || secrets.isPending) {
    return (
      <div className="space-y-8">
        <PageHeader org={overview.data?.name ?? "…"} title="Secrets" />
        <Skeleton label="Loading secrets" height="h-48" />
      </div>
    );
  }
  if (overview.isError || secrets.isError) {
    return (
      <div className="space-y-8">
        <PageHeader org={overview.data?.name ?? "…"} title="Secrets" />
        <Notice tone="error">
          {(overview.error ?? secrets.error)?.message} Reload the page to try again.
        </Notice>
      </div>
    );
  }
  const role = overview.data.yourRole;
  const manage = can(role, "secret.manage");
  const agentList = agents.data?.agents ?? [];

  return (
    <div className="space-y-8">
      <PageHeader org={overview.data.name} title="Secrets" />
      <div className="flex flex-wrap items-start justify-between gap-4">
        <p className={`max-w-2xl text-sm ${muted}`}>
          API keys and tokens your agents use, kept out of their sandboxes. An agent never sees a
          value: the egress gateway adds it to the agent's requests, and only to the hosts you grant
          it for. Every use is recorded in the ledger.
        </p>
        <Link href={`/o/${orgSlug}/secrets/usage`} className={secondaryButton}>
          Usage ledger
        </Link>
      </div>

      {manage ? (
        <section aria-labelledby="new-secret-heading" className="space-y-3">
          <h2 id="new-secret-heading" className="text-lg font-semibold">
            New secret
          </h2>
          <CreateSecretForm orgSlug={orgSlug} />
        </section>
      ) : (
        <p className={`text-sm ${muted}`} data-testid="secrets-read-only">
          Only owners and admins can add, rotate, grant or delete secrets. Your role is{" "}
          {role.toLowerCase()}.
        </p>
      )}

      <section aria-labelledby="secrets-heading" className="space-y-3">
        <h2 id="secrets-heading" className="text-lg font-semibold">
          Secrets
        </h2>
        <DataTable
          label="Secrets"
          rows={secrets.data}
          rowKey={(s) => s.id}
          rowTestId="secret-row"
          filterText={(s) =>
            `${s.name} ${s.description} ${s.grants.map((g) => `${g.agent.name} ${g.hosts.join(" ")}`).join(" ")}`
          }
          empty={
            <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
              No secrets yet.{" "}
              {manage
                ? "Add one above, then grant it to an agent for the hosts that need it."
                : "Owners and admins add them."}
            </p>
          }
          columns={[
            {
              key: "name",
              header: "Secret",
              sortValue: (s) => s.name,
              cell: (s) => (
                <>
                  <p className="font-mono font-medium">{s.name}</p>
                  {s.description && <p className={`max-w-xs text-xs ${muted}`}>{s.description}</p>}
                </>
              ),
            },
            {
              key: "version",
              header: "Version",
              sortValue: (s) => s.version,
              cell: (s) => <span data-testid="secret-version">v{s.version}</span>,
            },
            {
              key: "grants",
              header: "Granted to",
              sortValue: (s) => s.grants.length,
              cell: (s) => <GrantList orgSlug={orgSlug} secret={s} manage={manage} />,
            },
            {
              key: "used",
              header: "Last used",
              sortValue: (s) => (s.lastUsedAt ? new Date(s.lastUsedAt).getTime() : 0),
              cell: (s) => <RelativeTime date={s.lastUsedAt} />,
            },
            {
              key: "rotated",
              header: "Rotated",
              sortValue: (s) => new Date(s.rotatedAt).getTime(),
              cell: (s) =>
                s.version === 1 ? (
                  <span className={muted}>never</span>
                ) : (
                  <RelativeTime date={s.rotatedAt} />
                ),
            },
            ...(manage
              ? [
                  {
                    key: "actions",
                    header: "Actions",
                    hiddenHeader: true,
                    cell: (s: Secret) => (
                      <div className="flex flex-wrap gap-2">
                        <button
                          type="button"
                          className={secondaryButton}
                          onClick={() => grantForm.current?.grant(s.id)}
                        >
                          Grant<span className="sr-only"> {s.name}</span>
                        </button>
                        <RotateSecret orgSlug={orgSlug} secret={s} />
                        <EditSecretDescription orgSlug={orgSlug} secret={s} />
                        <DeleteSecret orgSlug={orgSlug} secret={s} />
                      </div>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </section>

      {manage && (
        <section aria-labelledby="grant-heading" className="space-y-3">
          <h2 id="grant-heading" className="text-lg font-semibold">
            Grant to an agent
          </h2>
          {agents.isError ? (
            <Notice tone="error">{agents.error.message} Reload the page to try again.</Notice>
          ) : secrets.data.length === 0 ? (
            <p className={`text-sm ${muted}`}>Add a secret first.</p>
          ) : agents.isPending ? (
            <Skeleton label="Loading agents" height="h-40" />
          ) : agentList.length === 0 ? (
            <p className={`text-sm ${muted}`}>
              No agents yet.{" "}
              <Link href={`/o/${orgSlug}/agents`} className="underline">
                Create one
              </Link>{" "}
              to grant it a secret.
            </p>
          ) : (
            <GrantForm
              ref={grantForm}
              orgSlug={orgSlug}
              secrets={secrets.data}
              agents={agentList.map((a) => ({ id: a.id, name: a.name }))}
            />
          )}
        </section>
      )}
    </div>
  );
}

function GrantList({
  orgSlug,
  secret,
  manage,
}: {
  orgSlug: string;
  secret: Secret;
  manage: boolean;
}) {
  if (secret.grants.length === 0) return <span className={muted}>no agent</span>;
  return (
    <ul className="space-y-2">
      {secret.grants.map((g) => (
        <li key={g.id} data-testid="secret-grant" className="flex items-start gap-2">
          <div className="min-w-0 flex-1">
            <Link
              href={`/o/${orgSlug}/agents/${g.agent.id}`}
              className="font-medium underline-offset-2 hover:underline"
            >
              {g.agent.name}
            </Link>
            <p className="font-mono text-xs break-all">
              {g.hosts.join(", ")}
              {g.pathPrefix ?? ""}
            </p>
            <p className={`font-mono text-xs ${muted}`}>
              {g.headerName}: {g.headerTemplate}
              {g.placeholderEnv && ` · $${g.placeholderEnv}`}
            </p>
          </div>
          {manage && <RevokeGrant orgSlug={orgSlug} secretName={secret.name} grant={g} />}
        </li>
      ))}
    </ul>
  );
}

function RevokeGrant(props: { orgSlug: string; secretName: string; grant: Grant }) {
  const { orgSlug, secretName, grant } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.secrets.revokeGrant.mutationOptions({
      onSuccess: () => toast.success(`${grant.agent.name} no longer gets ${secretName}.`),
      onError: (error) => toast.error(error.message),
      onSettled: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey({ orgSlug }) }),
          queryClient.invalidateQueries({ queryKey: trpc.egress.agent.pathKey() }),
        ]),
    }),
  );
  return (
    <ConfirmButton
      className={smallDanger}
      disabled={revoke.isPending}
      title={`Revoke ${grant.agent.name}'s grant of ${secretName}?`}
      description={`The gateway stops adding ${secretName} to ${grant.agent.name}'s requests from the next request on. The secret itself stays.`}
      confirmLabel="Revoke grant"
      onConfirm={() => revoke.mutate({ orgSlug, grantId: grant.id })}
    >
      Revoke<span className="sr-only">{` ${secretName} from ${grant.agent.name}`}</span>
    </ConfirmButton>
  );
}
