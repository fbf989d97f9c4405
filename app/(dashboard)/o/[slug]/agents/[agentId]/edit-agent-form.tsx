"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { primaryButton, secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { agentSpecSchema } from "@/server/agents/schemas.ts";
import { AgentSpecFields, type SpecText, specFromText, specText } from "../agent-spec-fields.tsx";

/** Changing the spec makes a new generation: the host replaces the container. */
export function EditAgentForm(props: {
  orgSlug: string;
  agent: Parameters<typeof specText>[0] & { id: string };
  onDone: () => void;
}) {
  const { orgSlug, agent, onDone } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [spec, setSpec] = useState(specText(agent));
  const [touched, setTouched] = useState<Partial<Record<keyof SpecText, boolean>>>({});
  const update = useMutation(
    trpc.agents.update.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({
          queryKey: trpc.agents.get.queryKey({ orgSlug, agentId: agent.id }),
        });
        onDone();
      },
    }),
  );
  const check = agentSpecSchema.safeParse(specFromText(spec));
  const issues = check.success ? [] : check.error.issues;
  const errorFor = (field: keyof SpecText) =>
    touched[field]
      ? (issues.find((i) => i.path[0] === field)?.message ??
        (update.error?.data?.field === field ? update.error.message : undefined))
      : undefined;

  return (
    <form
      aria-label="Edit the agent"
      noValidate
      className="grid gap-4 rounded-xl border border-zinc-200 bg-white p-4 md:grid-cols-2 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(Object.fromEntries(Object.keys(spec).map((k) => [k, true])));
        if (check.success) update.mutate({ orgSlug, agentId: agent.id, ...check.data });
      }}
    >
      <AgentSpecFields
        idPrefix="edit"
        values={spec}
        onValue={(field, value) => setSpec((s) => ({ ...s, [field]: value }))}
        onTouch={(field) => setTouched((t) => ({ ...t, [field]: true }))}
        errorFor={errorFor}
      />
      <div className="flex flex-wrap items-center gap-2 md:col-span-2">
        {update.error && !update.error.data?.field && (
          <Notice tone="error">{update.error.message}</Notice>
        )}
        <button type="submit" className={primaryButton} disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save and replace the container"}
        </button>
        <button type="button" className={secondaryButton} onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
