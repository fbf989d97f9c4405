"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { createAgentSchema } from "@/server/agents/schemas.ts";
import { AgentSpecFields, type SpecText, specFromText, specText } from "./agent-spec-fields.tsx";

type Field = keyof SpecText | "name";

export function CreateAgentForm({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [spec, setSpec] = useState(specText());
  const [start, setStart] = useState(true);
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const create = useMutation(
    trpc.agents.create.mutationOptions({
      onSuccess: async (agent) => {
        await queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey({ orgSlug }) });
        router.push(`/o/${orgSlug}/agents/${agent.id}`);
      },
    }),
  );
  const check = createAgentSchema.safeParse({ name, ...specFromText(spec), start });
  const issues = check.success ? [] : check.error.issues;
  const errorFor = (field: Field) => {
    if (!touched[field] && !submitted) return undefined;
    const server = create.error?.data?.field === field ? create.error.message : undefined;
    return issues.find((i) => i.path[0] === field)?.message ?? server;
  };
  const touch = (field: Field) => setTouched((t) => ({ ...t, [field]: true }));

  return (
    <form
      aria-label="Create an agent"
      noValidate
      className="grid gap-4 rounded-xl border border-zinc-200 bg-white p-4 md:grid-cols-2 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (check.success) create.mutate({ orgSlug, ...check.data });
      }}
    >
      <TextField
        name="agent-name"
        label="Name"
        hint="Lower-case letters, digits and dashes."
        value={name}
        onValue={setName}
        onBlur={() => touch("name")}
        error={errorFor("name")}
      />
      <AgentSpecFields
        idPrefix="agent"
        values={spec}
        onValue={(field, value) => setSpec((s) => ({ ...s, [field]: value }))}
        onTouch={touch}
        errorFor={errorFor}
      />
      <label className="flex items-center gap-2 self-end text-sm">
        <input type="checkbox" checked={start} onChange={(e) => setStart(e.target.checked)} />
        Start it now
      </label>
      <div className="space-y-2 md:col-span-2">
        {create.error && !create.error.data?.field && (
          <Notice tone="error">{create.error.message}</Notice>
        )}
        <button type="submit" className={primaryButton} disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create agent"}
        </button>
      </div>
    </form>
  );
}
