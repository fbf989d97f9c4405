"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ConfirmButton } from "@/app/_components/confirm-button.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { can } from "@/server/auth/permissions.ts";
import { PageHeader } from "../page-header.tsx";
import { CreateKeyForm } from "./create-key-form.tsx";

const cell = "px-3 py-2 text-left align-top";

function keyState(key: { revokedAt: Date | null; expiresAt: Date | null }) {
  if (key.revokedAt) return "revoked";
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= Date.now()) return "expired";
  return "active";
}

export function ApiKeysView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  const me = useQuery(trpc.accounts.me.queryOptions());
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ orgSlug }));
  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onSettled: () =>
        queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey({ orgSlug }) }),
    }),
  );

  if (overview.isPending || keys.isPending || me.isPending) {
    return <Skeleton label="Loading API keys" height="h-40" />;
  }
  if (overview.isError || keys.isError || me.isError) {
    return (
      <Notice tone="error">
        {(overview.error ?? keys.error ?? me.error)?.message} Reload the page to try again.
      </Notice>
    );
  }
  const myRole = overview.data.yourRole;

  return (
    <div className="space-y-8">
      <PageHeader org={overview.data.name} title="API keys" />
      <p className="max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
        A key acts for you in {overview.data.name}, limited to the permissions you choose and to
        what your role allows. Send it as <code>Authorization: Bearer crl_…</code>. Removing you
        from the organisation stops your keys.
      </p>
      <section aria-labelledby="create-key-heading" className="space-y-3">
        <h2 id="create-key-heading" className="text-lg font-semibold">
          New key
        </h2>
        <CreateKeyForm orgSlug={orgSlug} myRole={myRole} />
      </section>
      <section aria-labelledby="keys-heading" className="space-y-3">
        <h2 id="keys-heading" className="text-lg font-semibold">
          Keys
        </h2>
        {revoke.error && <Notice tone="error">{revoke.error.message}</Notice>}
        {keys.data.length === 0 ? (
          <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
            No API keys yet.
          </p>
        ) : (
          <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
            <table className="w-full text-sm">
              <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:text-zinc-400 dark:border-zinc-800">
                <tr>
                  <th className={cell}>Key</th>
                  <th className={cell}>Permissions</th>
                  <th className={cell}>Last used</th>
                  <th className={cell}>Expires</th>
                  <th className={cell}>Status</th>
                  <th className={cell}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.map((key) => {
                  const state = keyState(key);
                  const mayRevoke =
                    state === "active" &&
                    (key.createdBy.id === me.data.id || can(myRole, "api_key.revoke_any"));
                  return (
                    <tr
                      key={key.id}
                      data-testid="api-key-row"
                      className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                    >
                      <td className={cell}>
                        <p className="font-medium">{key.name}</p>
                        <p className="font-mono text-xs text-zinc-600 dark:text-zinc-400">
                          {key.prefix}… · by {key.createdBy.name}
                        </p>
                      </td>
                      <td className={cell}>
                        <p className="font-mono text-xs">{key.scopes.join(", ")}</p>
                      </td>
                      <td className={cell}>
                        <RelativeTime date={key.lastUsedAt} />
                      </td>
                      <td className={cell}>
                        {key.expiresAt ? <RelativeTime date={key.expiresAt} /> : "never"}
                      </td>
                      <td className={cell}>{state}</td>
                      <td className={cell}>
                        {mayRevoke && (
                          <ConfirmButton
                            title={`Revoke “${key.name}”?`}
                            description="Anything using it stops working at once. This cannot be undone."
                            confirmLabel="Revoke key"
                            onConfirm={() => revoke.mutate({ orgSlug, keyId: key.id })}
                          >
                            Revoke
                          </ConfirmButton>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
