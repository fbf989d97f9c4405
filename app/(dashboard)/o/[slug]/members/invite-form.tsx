"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import type { Role } from "@/server/db/generated/enums.ts";
import { inviteMemberSchema } from "@/server/invitations/schemas.ts";
import { RoleOptions } from "./role-options.tsx";

export function InviteForm({ orgSlug, myRole }: { orgSlug: string; myRole: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useLiveValidation(inviteMemberSchema, { email: "", role: "MEMBER" });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const invite = useMutation(
    trpc.invitations.create.mutationOptions({
      onSuccess: (_result, input) => {
        setSentTo(input.email);
        form.reset();
        return queryClient.invalidateQueries({
          queryKey: trpc.invitations.listPending.queryKey({ orgSlug }),
        });
      },
    }),
  );

  return (
    <form
      aria-label="Invite a teammate"
      className="grid gap-3 sm:grid-cols-[1fr_10rem_auto] sm:items-start"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSentTo(null);
        if (form.attemptSubmit() && form.data) invite.mutate({ orgSlug, ...form.data });
      }}
    >
      <TextField
        name="invite-email"
        label="Email address"
        type="email"
        value={form.values.email}
        onValue={(v) => form.set("email", v)}
        onBlur={() => form.touch("email")}
        error={
          form.errorFor("email") ??
          (invite.error?.data?.field === "email" ? invite.error.message : undefined)
        }
      />
      <div className="space-y-1">
        <label htmlFor="invite-role" className="block text-sm font-medium">
          Role
        </label>
        <select
          id="invite-role"
          value={form.values.role}
          onChange={(e) => form.set("role", e.target.value)}
          className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        >
          <RoleOptions myRole={myRole} />
        </select>
      </div>
      <button type="submit" disabled={invite.isPending} className={`sm:mt-6 ${primaryButton}`}>
        {invite.isPending ? "Sending…" : "Send invitation"}
      </button>
      <div className="sm:col-span-3">
        {sentTo && <Notice tone="success">Invitation sent to {sentTo}.</Notice>}
        {invite.error && invite.error.data?.field !== "email" && (
          <Notice tone="error">{invite.error.message}</Notice>
        )}
      </div>
    </form>
  );
}
