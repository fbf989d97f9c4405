"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { can } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";

type Isolation = "MICROVM" | "CONTAINER";
type Choice = Isolation | "AUTO";

export interface IsolationState {
  chosen: Isolation | null;
  locked: boolean;
  sandbox: { isolation: Isolation | null; state: string; reason: string | null } | null;
  fleetOffers: { microvm: boolean; container: boolean };
}

const choices: { value: Choice; label: string; hint: string }[] = [
  {
    value: "AUTO",
    label: "Automatic",
    hint: "A microVM wherever a host offers one, otherwise a container.",
  },
  {
    value: "MICROVM",
    label: "MicroVM",
    hint: "Its own kernel and engine: an escape from an agent still faces the VM's wall. Slower to start.",
  },
  {
    value: "CONTAINER",
    label: "Container",
    hint: "A privileged container with its own engine on the host's kernel: fastest, one wall fewer.",
  },
];

export const isolationLabel = (i: Isolation | null) =>
  i === "MICROVM" ? "microVM" : i === "CONTAINER" ? "container" : "not placed yet";

/** How the organisation's sandbox is walled off; owners choose unless an operator locked it. */
export function IsolationSetting(props: { orgSlug: string; role: Role; state: IsolationState }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { chosen, locked, sandbox, fleetOffers } = props.state;
  const [choice, setChoice] = useState<Choice>(chosen ?? "AUTO");
  const [saved, setSaved] = useState(false);
  const editable = can(props.role, "org.isolation") && !locked;
  const change = useMutation(
    trpc.organizations.setIsolation.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await queryClient.invalidateQueries({
          queryKey: trpc.organizations.settings.queryKey({ orgSlug: props.orgSlug }),
        });
      },
    }),
  );
  const current = chosen ?? "AUTO";
  return (
    <section aria-labelledby="isolation-heading" className="space-y-4">
      <h2 id="isolation-heading" className="text-lg font-semibold">
        Isolation
      </h2>
      <p className="text-sm" data-testid="sandbox-isolation">
        Your sandbox runs as: <strong>{isolationLabel(sandbox?.isolation ?? null)}</strong>
        {sandbox?.reason && sandbox.state === "PENDING" && (
          <span className="text-zinc-600 dark:text-zinc-400"> ({sandbox.reason})</span>
        )}
      </p>
      <form
        aria-label="Isolation"
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          change.mutate({ orgSlug: props.orgSlug, isolation: choice === "AUTO" ? null : choice });
        }}
      >
        <fieldset disabled={!editable} className="space-y-2">
          <legend className="sr-only">Isolation level</legend>
          {choices.map((c) => (
            <label key={c.value} className="flex items-start gap-2 text-sm">
              <input
                type="radio"
                name="isolation"
                value={c.value}
                checked={choice === c.value}
                onChange={() => setChoice(c.value)}
                className="mt-1"
              />
              <span>
                <span className="font-medium">{c.label}</span>
                <span className="block text-zinc-600 dark:text-zinc-400">{c.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {locked ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="isolation-locked">
            Your operator has fixed this; ask them to change it.
          </p>
        ) : (
          !can(props.role, "org.isolation") && (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Only owners can change this.</p>
          )
        )}
        {choice === "MICROVM" && !fleetOffers.microvm && (
          <Notice tone="info">
            No host offers microVMs right now: your sandbox would wait until one does.
          </Notice>
        )}
        {choice !== current && (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Changing it makes your sandbox again: running agents restart and their workspaces start
            empty.
          </p>
        )}
        {saved && <Notice tone="success">Saved.</Notice>}
        {change.error && <Notice tone="error">{change.error.message}</Notice>}
        {editable && (
          <button
            type="submit"
            disabled={change.isPending || choice === current}
            className={primaryButton}
          >
            {change.isPending ? "Saving…" : "Save isolation"}
          </button>
        )}
      </form>
    </section>
  );
}
