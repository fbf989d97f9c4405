"use client";
// The emergency brake: anyone who manages agents may pull it; owners and admins release it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ShieldAlert } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { dangerSolidButton, primaryButton } from "@/app/_components/buttons.ts";
import { ConfirmButton } from "@/app/_components/confirm-button.tsx";
import { RelativeTime } from "@/app/_components/relative-time.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";

const muted = "text-zinc-600 dark:text-zinc-400";

export function QuarantineCard(props: {
  orgSlug: string;
  agentId: string;
  agentName: string;
  quarantinedAt: Date | null;
  reason: string | null;
  canQuarantine: boolean;
  canRelease: boolean;
}) {
  const { orgSlug, agentId, agentName, quarantinedAt } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.egress.agent.queryKey({ orgSlug, agentId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.agents.get.queryKey({ orgSlug, agentId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey({ orgSlug }) }),
    ]);
  const quarantine = useMutation(
    trpc.egress.quarantine.mutationOptions({
      onSuccess: () => {
        setReason("");
        toast.success(`${agentName} is quarantined: the gateway refuses its requests.`);
      },
      onError: (error) => toast.error(error.message),
      onSettled: refresh,
    }),
  );
  const release = useMutation(
    trpc.egress.release.mutationOptions({
      onSuccess: () => toast.success(`${agentName} released: its policy and grants apply again.`),
      onError: (error) => toast.error(error.message),
      onSettled: refresh,
    }),
  );

  if (quarantinedAt)
    return (
      <section
        aria-labelledby="quarantine-heading"
        data-testid="quarantine-card"
        className="space-y-3 rounded-xl border-2 border-red-400 bg-red-50 p-4 dark:border-red-800 dark:bg-red-950"
      >
        <h2
          id="quarantine-heading"
          className="flex items-center gap-2 font-semibold text-red-800 dark:text-red-200"
        >
          <ShieldAlert aria-hidden="true" className="size-5" />
          Quarantined <RelativeTime date={quarantinedAt} />
        </h2>
        {props.reason && (
          <p className="text-sm" data-testid="quarantine-reason">
            Reason: {props.reason}
          </p>
        )}
        <p className="text-sm text-red-900 dark:text-red-100">
          The gateway refuses every request from {agentName}, the agent is stopped and its grants
          are suspended. Its workspace and logs are kept for you to look into.
        </p>
        {props.canRelease ? (
          <ConfirmButton
            className={primaryButton}
            confirmClassName={primaryButton}
            disabled={release.isPending}
            title={`Release ${agentName}?`}
            description="Its network policy and grants apply again, and if it should be running it starts in a fresh run."
            confirmLabel="Release"
            onConfirm={() => release.mutate({ orgSlug, agentId })}
          >
            {release.isPending ? "Releasing…" : "Release"}
          </ConfirmButton>
        ) : (
          <p className="text-sm text-red-900 dark:text-red-100">
            Only owners and admins can release it.
          </p>
        )}
      </section>
    );

  return (
    <section
      aria-labelledby="quarantine-heading"
      data-testid="quarantine-card"
      className="flex flex-wrap items-center gap-4 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="min-w-64 flex-1 space-y-1">
        <h2 id="quarantine-heading" className="font-semibold">
          Quarantine
        </h2>
        <p className={`text-sm ${muted}`}>
          If {agentName} misbehaves, stop it in one step: the gateway refuses every request at once,
          the agent stops and its grants are suspended. Its workspace and logs are kept, and an
          owner or admin can release it.
        </p>
      </div>
      {props.canQuarantine ? (
        <ConfirmButton
          className={dangerSolidButton}
          disabled={quarantine.isPending}
          title={`Quarantine ${agentName}?`}
          description="The gateway refuses every request from it at once, the agent stops and its grants are suspended. Its workspace and logs are kept."
          confirmLabel="Quarantine"
          fields={
            <TextField
              name="quarantine-reason"
              label="Reason (optional)"
              hint="Shown on the agent and recorded in the audit log."
              maxLength={500}
              autoComplete="off"
              value={reason}
              onValue={setReason}
            />
          }
          onConfirm={() => quarantine.mutate({ orgSlug, agentId, reason })}
        >
          <span className="inline-flex items-center gap-2">
            <ShieldAlert aria-hidden="true" className="size-4" />
            {quarantine.isPending ? "Quarantining…" : "Quarantine"}
          </span>
        </ConfirmButton>
      ) : (
        <p className={`text-sm ${muted}`}>Viewers cannot quarantine agents.</p>
      )}
    </section>
  );
}
