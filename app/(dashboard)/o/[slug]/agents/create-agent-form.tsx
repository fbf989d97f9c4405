"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import {
  createAgentSchema,
  defaultAgentImage,
  parseEnvLines,
  splitCommand,
} from "@/server/agents/schemas.ts";

const initial = {
  name: "",
  image: defaultAgentImage,
  command: "",
  env: "",
  cpuMillis: "500",
  memoryMb: "256",
  workspaceMb: "512",
};
type Field = keyof typeof initial;

/** Form text → the API's input, so the same schema judges both. */
function toInput(v: typeof initial, start: boolean) {
  const num = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
  return {
    name: v.name,
    image: v.image,
    command: splitCommand(v.command),
    env: parseEnvLines(v.env),
    cpuMillis: num(v.cpuMillis),
    memoryMb: num(v.memoryMb),
    workspaceMb: num(v.workspaceMb),
    start,
  };
}

export function CreateAgentForm({ orgSlug }: { orgSlug: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(initial);
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
  const check = createAgentSchema.safeParse(toInput(values, start));
  const issues = check.success ? [] : check.error.issues;
  const errorFor = (field: Field) => {
    if (!touched[field] && !submitted) return undefined;
    const server = create.error?.data?.field === field ? create.error.message : undefined;
    return issues.find((i) => i.path[0] === field)?.message ?? server;
  };
  const field = (
    name: Field,
    label: string,
    extra: { hint?: string; inputMode?: "numeric" } = {},
  ) => (
    <TextField
      name={`agent-${name}`}
      label={label}
      value={values[name]}
      onValue={(v) => setValues((s) => ({ ...s, [name]: v }))}
      onBlur={() => setTouched((t) => ({ ...t, [name]: true }))}
      error={errorFor(name)}
      {...extra}
    />
  );

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
      {field("name", "Name", { hint: "Lower-case letters, digits and dashes." })}
      {field("image", "Image", { hint: "Built on every host; or any image your hosts can pull." })}
      {field("command", "Command", {
        hint: "Leave empty for the image's default. Quote parts with spaces.",
      })}
      <div className="space-y-1">
        <label htmlFor="agent-env" className="block text-sm font-medium">
          Environment (not secrets)
        </label>
        <textarea
          id="agent-env"
          rows={3}
          value={values.env}
          placeholder="LOG_LEVEL=info"
          onChange={(e) => setValues((s) => ({ ...s, env: e.target.value }))}
          onBlur={() => setTouched((t) => ({ ...t, env: true }))}
          aria-invalid={errorFor("env") ? true : undefined}
          aria-describedby="agent-env-help"
          className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900"
        />
        <p
          id="agent-env-help"
          className={`text-xs ${errorFor("env") ? "text-red-700 dark:text-red-400" : "text-zinc-500"}`}
        >
          {errorFor("env") ??
            "KEY=value per line. Secrets never go here: they stay outside the sandbox."}
        </p>
      </div>
      {field("cpuMillis", "CPU (millicores)", { inputMode: "numeric", hint: "1000 = one CPU." })}
      {field("memoryMb", "Memory (MiB)", { inputMode: "numeric" })}
      {field("workspaceMb", "Workspace (MiB)", { inputMode: "numeric" })}
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
