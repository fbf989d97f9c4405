"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { dangerButton, primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useLiveValidation } from "@/app/_components/use-live-validation.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import { can } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";
import { updateOrganizationSchema } from "@/server/organizations/schemas.ts";
import { PageHeader } from "../page-header.tsx";
import { EgressCeiling } from "./egress-ceiling.tsx";
import { IsolationSetting } from "./isolation-setting.tsx";

export function SettingsView({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const overview = useQuery(trpc.organizations.overview.queryOptions({ orgSlug }));
  const settings = useQuery(trpc.organizations.settings.queryOptions({ orgSlug }));

  if (overview.isPending || settings.isPending) {
    return <Skeleton label="Loading settings" height="h-40" />;
  }
  if (overview.isError || settings.isError) {
    return (
      <Notice tone="error">
        {(overview.error ?? settings.error)?.message} Reload the page to try again.
      </Notice>
    );
  }
  const role = overview.data.yourRole;
  return (
    <div className="max-w-2xl space-y-10">
      <PageHeader org={settings.data.name} title="Settings" />
      <GeneralSettings orgSlug={orgSlug} role={role} initial={settings.data} />
      <EgressCeiling orgSlug={orgSlug} role={role} />
      <IsolationSetting orgSlug={orgSlug} role={role} state={settings.data.isolation} />
      <section aria-labelledby="plan-heading" className="space-y-1">
        <h2 id="plan-heading" className="text-lg font-semibold">
          Plan
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {settings.data.seatLimit} seats, shared by members and pending invitations.
        </p>
      </section>
      {can(role, "org.delete") && <DangerZone orgSlug={orgSlug} name={settings.data.name} />}
    </div>
  );
}

function GeneralSettings(props: {
  orgSlug: string;
  role: Role;
  initial: { name: string; allowedEmailDomain: string | null };
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const editable = can(props.role, "org.update");
  const form = useLiveValidation(updateOrganizationSchema, {
    name: props.initial.name,
    allowedEmailDomain: props.initial.allowedEmailDomain ?? "",
  });
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.organizations.update.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await queryClient.invalidateQueries();
        router.refresh(); // the sidebar shows the name
      },
    }),
  );
  return (
    <section aria-labelledby="general-heading" className="space-y-4">
      <h2 id="general-heading" className="text-lg font-semibold">
        General
      </h2>
      <form
        aria-label="Organisation settings"
        className="space-y-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          if (form.attemptSubmit() && form.data)
            update.mutate({ orgSlug: props.orgSlug, ...form.data });
        }}
      >
        <fieldset disabled={!editable} className="space-y-4">
          <TextField
            name="org-name"
            label="Name"
            value={form.values.name}
            onValue={(v) => form.set("name", v)}
            onBlur={() => form.touch("name")}
            error={form.errorFor("name")}
          />
          <TextField
            name="org-domain"
            label="Allowed email domain"
            hint="When set, invitations go only to addresses at this domain. Leave empty to allow any."
            placeholder="example.com"
            value={form.values.allowedEmailDomain}
            onValue={(v) => form.set("allowedEmailDomain", v)}
            onBlur={() => form.touch("allowedEmailDomain")}
            error={form.errorFor("allowedEmailDomain")}
          />
        </fieldset>
        {!editable && (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Only owners and admins can change these.
          </p>
        )}
        {saved && <Notice tone="success">Saved.</Notice>}
        {update.error && <Notice tone="error">{update.error.message}</Notice>}
        {editable && (
          <button type="submit" disabled={update.isPending} className={primaryButton}>
            {update.isPending ? "Saving…" : "Save changes"}
          </button>
        )}
      </form>
    </section>
  );
}

function DangerZone({ orgSlug, name }: { orgSlug: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [confirmName, setConfirmName] = useState("");
  const remove = useMutation(
    trpc.organizations.delete.mutationOptions({
      onSuccess: () => {
        router.push("/");
        router.refresh();
      },
    }),
  );
  return (
    <section
      aria-labelledby="danger-heading"
      className="space-y-4 rounded-xl border border-red-300 p-5 dark:border-red-900"
    >
      <h2 id="danger-heading" className="text-lg font-semibold text-red-800 dark:text-red-300">
        Delete this organisation
      </h2>
      <p className="text-sm">
        Everyone loses access at once: all memberships, pending invitations and API keys are
        removed, and the address <code>{orgSlug}</code> becomes free. Its agents and their sandboxes
        are stopped and removed. The audit log is kept. This cannot be undone.
      </p>
      <form
        aria-label="Delete organisation"
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          remove.mutate({ orgSlug, confirmName });
        }}
      >
        <TextField
          name="confirm-name"
          label={`Type ${name} to confirm`}
          value={confirmName}
          onValue={setConfirmName}
          autoComplete="off"
        />
        {remove.error && <Notice tone="error">{remove.error.message}</Notice>}
        <button
          type="submit"
          disabled={confirmName !== name || remove.isPending}
          className={dangerButton}
        >
          {remove.isPending ? "Deleting…" : "Delete organisation"}
        </button>
      </form>
    </section>
  );
}
