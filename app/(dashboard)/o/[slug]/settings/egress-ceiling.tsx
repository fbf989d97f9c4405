"use client";
// The organisation's egress ceiling: when on, no agent reaches a host outside this list,
// whatever its own policy and grants say.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { Skeleton } from "@/app/_components/skeleton.tsx";
import { listError, splitList } from "@/app/lib/lists.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import { egressCeilingSchema } from "@/common/egress-policy.ts";
import { can } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";

export function EgressCeiling({ orgSlug, role }: { orgSlug: string; role: Role }) {
  const trpc = useTRPC();
  const ceiling = useQuery(trpc.egress.ceiling.queryOptions({ orgSlug }));
  return (
    <section aria-labelledby="ceiling-heading" className="space-y-4">
      <h2 id="ceiling-heading" className="text-lg font-semibold">
        Egress ceiling
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        An upper bound on where any agent may connect. With the ceiling on, the gateway refuses
        every host outside this list, whatever an agent's own policy or grants allow.
      </p>
      {ceiling.isPending ? (
        <Skeleton label="Loading the egress ceiling" height="h-40" />
      ) : ceiling.isError ? (
        <Notice tone="error">{ceiling.error.message} Reload the page to try again.</Notice>
      ) : (
        <CeilingForm
          orgSlug={orgSlug}
          editable={can(role, "egress.manage")}
          initial={ceiling.data}
        />
      )}
    </section>
  );
}

function CeilingForm(props: {
  orgSlug: string;
  editable: boolean;
  initial: { enabled: boolean; hosts: string[] };
}) {
  const { orgSlug, editable } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(props.initial.enabled);
  const [hosts, setHosts] = useState(props.initial.hosts.join("\n"));
  const [touched, setTouched] = useState(false);
  const save = useMutation(
    trpc.egress.setCeiling.mutationOptions({
      onSuccess: (saved) => {
        toast.success(
          saved.enabled
            ? `Ceiling on: agents reach at most ${saved.hosts.length} ${saved.hosts.length === 1 ? "host" : "hosts"}.`
            : "Ceiling off: each agent's own policy decides.",
        );
        return queryClient.invalidateQueries({ queryKey: trpc.egress.pathKey() });
      },
    }),
  );
  const items = splitList(hosts);
  const error = touched ? listError(egressCeilingSchema.shape.hosts, items) : undefined;
  const check = egressCeilingSchema.safeParse({ enabled, hosts: items });

  return (
    <form
      aria-label="Egress ceiling"
      noValidate
      className="space-y-4 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (check.success) save.mutate({ orgSlug, ...check.data });
      }}
    >
      <fieldset disabled={!editable} className="space-y-4">
        <label className="flex items-center gap-2 text-sm font-medium">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Limit every agent to these hosts
        </label>
        <div className="space-y-1">
          <label htmlFor="ceiling-hosts" className="block text-sm font-medium">
            Allowed hosts
          </label>
          <textarea
            id="ceiling-hosts"
            rows={4}
            value={hosts}
            placeholder={"api.anthropic.com\n*.github.com"}
            spellCheck={false}
            onChange={(e) => setHosts(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={error ? true : undefined}
            aria-describedby="ceiling-hosts-help"
            className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs shadow-sm aria-invalid:border-red-500 disabled:opacity-70 dark:border-zinc-700 dark:bg-zinc-900"
          />
          <p
            id="ceiling-hosts-help"
            className={`text-xs ${error ? "text-red-700 dark:text-red-400" : "text-zinc-600 dark:text-zinc-400"}`}
          >
            {error ??
              "One per line or separated by commas; *.example.com covers its subdomains (not example.com itself)."}
          </p>
        </div>
      </fieldset>
      {enabled && items.length === 0 && (
        <Notice tone="info">With the ceiling on and no hosts, no agent reaches anything.</Notice>
      )}
      {save.error && <Notice tone="error">{save.error.message}</Notice>}
      {editable ? (
        <button type="submit" className={primaryButton} disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save ceiling"}
        </button>
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Only owners and admins can change the ceiling.
        </p>
      )}
    </form>
  );
}
