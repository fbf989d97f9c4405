"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { dangerButton, secondaryButton } from "@/app/_components/buttons.ts";
import { ConfirmButton } from "@/app/_components/confirm-button.tsx";
import { Notice } from "@/app/_components/notice.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { can, canGrant } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";
import { PageHeader } from "../page-header.tsx";
import { InviteForm } from "./invite-form.tsx";
import { RoleOptions } from "./role-options.tsx";

const cell = "px-3 py-2 text-left align-middle";

export function MembersView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  const members = useQuery(trpc.members.list.queryOptions({ orgSlug }));
  const pending = useQuery(trpc.invitations.listPending.queryOptions({ orgSlug }));
  const refresh = () => queryClient.invalidateQueries();

  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: refresh }));
  const resend = useMutation(trpc.invitations.resend.mutationOptions({ onSettled: refresh }));
  const revoke = useMutation(trpc.invitations.revoke.mutationOptions({ onSettled: refresh }));
  const failure = [changeRole, remove, resend, revoke].find((m) => m.error)?.error;

  if (overview.isPending || members.isPending) {
    return (
      <div role="status" aria-busy="true" aria-label="Loading members" className="space-y-3">
        {["a", "b", "c"].map((k) => (
          <div key={k} className="h-10 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
        ))}
      </div>
    );
  }
  if (overview.isError || members.isError) {
    return (
      <Notice tone="error">
        {(overview.error ?? members.error)?.message} Reload the page to try again.
      </Notice>
    );
  }

  const myRole: Role = overview.data.yourRole;
  const mayInvite = can(myRole, "member.invite");
  const mayManage = can(myRole, "member.manage");

  return (
    <div className="space-y-8">
      <PageHeader org={overview.data.name} title="Members" />
      {failure && (
        <Notice tone="error" testId="members-error">
          {failure.message}
        </Notice>
      )}

      <section aria-labelledby="invite-heading" className="space-y-3">
        <h2 id="invite-heading" className="text-lg font-semibold">
          Invite a teammate
        </h2>
        {mayInvite ? (
          <InviteForm orgSlug={orgSlug} myRole={myRole} />
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="invite-not-allowed">
            Only owners and admins can invite people. Your role is {myRole.toLowerCase()}.
          </p>
        )}
      </section>

      <section aria-labelledby="members-heading" className="space-y-3">
        <h2 id="members-heading" className="text-lg font-semibold">
          {members.data.length} {members.data.length === 1 ? "member" : "members"}
        </h2>
        <div className="overflow-x-auto rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-sm">
            <thead className="border-b border-zinc-200 text-xs uppercase text-zinc-600 dark:text-zinc-400 dark:border-zinc-800">
              <tr>
                <th className={cell}>Name</th>
                <th className={cell}>Role</th>
                <th className={cell}>Joined</th>
                <th className={cell}>Last active</th>
                {mayManage && <th className={cell}>Actions</th>}
              </tr>
            </thead>
            <tbody>
              {members.data.map((m) => {
                const editable = mayManage && canGrant(myRole, m.role);
                return (
                  <tr
                    key={m.userId}
                    className="border-b border-zinc-100 last:border-0 dark:border-zinc-800"
                  >
                    <td className={cell}>
                      <p className="font-medium">{m.name}</p>
                      <p className="text-xs text-zinc-600 dark:text-zinc-400">{m.email}</p>
                    </td>
                    <td className={cell}>
                      {editable ? (
                        <select
                          aria-label={`Role of ${m.name}`}
                          value={m.role}
                          onChange={(e) =>
                            changeRole.mutate({
                              orgSlug,
                              userId: m.userId,
                              role: e.target.value as Role,
                            })
                          }
                          className="rounded-md border border-zinc-300 bg-white px-2 py-1 dark:border-zinc-700 dark:bg-zinc-900"
                        >
                          <RoleOptions myRole={myRole} />
                        </select>
                      ) : (
                        m.role.toLowerCase()
                      )}
                    </td>
                    <td className={cell}>
                      <RelativeTime date={m.joinedAt} />
                    </td>
                    <td className={cell}>
                      <RelativeTime date={m.lastActiveAt} />
                    </td>
                    {mayManage && (
                      <td className={cell}>
                        {editable && (
                          <ConfirmButton
                            title={`Remove ${m.name}?`}
                            description={`They lose access to ${overview.data.name} at once, and their API keys for it stop working.`}
                            confirmLabel="Remove member"
                            onConfirm={() => remove.mutate({ orgSlug, userId: m.userId })}
                          >
                            Remove
                          </ConfirmButton>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="pending-heading" className="space-y-3">
        <h2 id="pending-heading" className="text-lg font-semibold">
          Pending invitations
        </h2>
        {pending.isError ? (
          <Notice tone="error">{pending.error.message}</Notice>
        ) : !pending.data?.length ? (
          <p className="rounded-xl border border-dashed border-zinc-300 p-6 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
            {pending.isPending ? "Loading…" : "No pending invitations."}
          </p>
        ) : (
          <ul className="divide-y divide-zinc-100 rounded-xl border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
            {pending.data.map((inv) => (
              <li
                key={inv.id}
                className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm"
                data-testid="pending-invitation"
              >
                <div className="min-w-48 flex-1">
                  <p className="font-medium">{inv.email}</p>
                  <p className="text-xs text-zinc-600 dark:text-zinc-400">
                    {inv.role.toLowerCase()} · sent <RelativeTime date={inv.sentAt} /> · expires{" "}
                    <RelativeTime date={inv.expiresAt} />
                  </p>
                </div>
                {mayInvite && (
                  <>
                    <button
                      type="button"
                      className={secondaryButton}
                      onClick={() => resend.mutate({ orgSlug, invitationId: inv.id })}
                    >
                      Resend
                    </button>
                    <button
                      type="button"
                      className={dangerButton}
                      onClick={() => revoke.mutate({ orgSlug, invitationId: inv.id })}
                    >
                      Revoke
                    </button>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
