"use client";
// Granting a secret to an agent: which hosts receive it, in which header, and an optional
// placeholder variable for SDKs that refuse to start without a key.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { forwardRef, useImperativeHandle, useRef, useState } from "react";
import { toast } from "sonner";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { TextField } from "@/app/_components/text-field.tsx";
import { listError, splitList } from "@/app/lib/lists.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import { grantSecretSchema } from "@/server/secrets/schemas.ts";

export const headerPresets = [
  {
    id: "x-api-key",
    label: "x-api-key: {value}",
    note: "Anthropic",
    headerName: "x-api-key",
    headerTemplate: "{value}",
  },
  {
    id: "bearer",
    label: "Authorization: Bearer {value}",
    note: "most APIs",
    headerName: "authorization",
    headerTemplate: "Bearer {value}",
  },
  { id: "custom", label: "Custom header", note: "", headerName: "", headerTemplate: "{value}" },
] as const;
type PresetId = (typeof headerPresets)[number]["id"];

type Field =
  | "secretId"
  | "agentId"
  | "hosts"
  | "pathPrefix"
  | "headerName"
  | "headerTemplate"
  | "placeholderEnv";

const select =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900";
const errorText = "text-sm text-red-700 dark:text-red-400";
const hintText = "text-xs text-zinc-600 dark:text-zinc-400";

export interface GrantFormHandle {
  /** Picks this secret and moves focus to the agent, e.g. from a secret's row. */
  grant: (secretId: string) => void;
}

export const GrantForm = forwardRef<
  GrantFormHandle,
  {
    orgSlug: string;
    secrets: { id: string; name: string }[];
    agents: { id: string; name: string }[];
  }
>(function GrantForm({ orgSlug, secrets, agents }, ref) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useRef<HTMLFormElement>(null);
  const agentSelect = useRef<HTMLSelectElement>(null);
  const [secretId, setSecretId] = useState("");
  const [agentId, setAgentId] = useState("");
  const [hosts, setHosts] = useState("");
  const [pathPrefix, setPathPrefix] = useState("");
  const [preset, setPreset] = useState<PresetId>("x-api-key");
  const [headerName, setHeaderName] = useState("");
  const [headerTemplate, setHeaderTemplate] = useState("{value}");
  const [placeholderEnv, setPlaceholderEnv] = useState("");
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);

  useImperativeHandle(ref, () => ({
    grant: (id) => {
      setSecretId(id);
      form.current?.scrollIntoView({ behavior: "smooth", block: "start" });
      agentSelect.current?.focus({ preventScroll: true });
    },
  }));

  const grant = useMutation(
    trpc.secrets.grant.mutationOptions({
      onSuccess: (_grant, input) => {
        const secret = secrets.find((s) => s.id === input.secretId)?.name ?? "The secret";
        const agent = agents.find((a) => a.id === input.agentId)?.name ?? "the agent";
        toast.success(`${secret} granted to ${agent}; the gateway uses it from the next request.`);
        setHosts("");
        setPathPrefix("");
        setPlaceholderEnv("");
        setTouched({});
        setSubmitted(false);
        return Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.secrets.list.queryKey({ orgSlug }) }),
          queryClient.invalidateQueries({ queryKey: trpc.egress.agent.pathKey() }),
        ]);
      },
    }),
  );

  const chosen = headerPresets.find((p) => p.id === preset) ?? headerPresets[0];
  const hostItems = splitList(hosts);
  const input = {
    secretId,
    agentId,
    hosts: hostItems,
    pathPrefix: pathPrefix.trim() || undefined,
    headerName: preset === "custom" ? headerName : chosen.headerName,
    headerTemplate: preset === "custom" ? headerTemplate : chosen.headerTemplate,
    placeholderEnv: placeholderEnv.trim() || undefined,
  };
  const check = grantSecretSchema.safeParse(input);
  const issues = check.success ? [] : check.error.issues;
  const messages: Partial<Record<Field, string>> = {
    secretId: secretId ? undefined : "Choose a secret",
    agentId: agentId ? undefined : "Choose an agent",
    hosts: listError(grantSecretSchema.shape.hosts, hostItems),
  };
  const errorFor = (field: Field) => {
    if (!touched[field] && !submitted) return undefined;
    const server = grant.error?.data?.field === field ? grant.error.message : undefined;
    return (
      (field in messages ? messages[field] : issues.find((i) => i.path[0] === field)?.message) ??
      server
    );
  };
  const touch = (field: Field) => setTouched((t) => ({ ...t, [field]: true }));

  const selectField = (
    field: "secretId" | "agentId",
    label: string,
    value: string,
    onChange: (v: string) => void,
    options: { id: string; name: string }[],
  ) => {
    const id = `grant-${field}`;
    const error = errorFor(field);
    return (
      <div className="space-y-1">
        <label htmlFor={id} className="block text-sm font-medium">
          {label}
        </label>
        <select
          id={id}
          ref={field === "agentId" ? agentSelect : undefined}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => touch(field)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          className={select}
        >
          <option value="">Choose…</option>
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
        {error && (
          <p id={`${id}-error`} className={errorText}>
            {error}
          </p>
        )}
      </div>
    );
  };

  const hostsError = errorFor("hosts");
  return (
    <form
      ref={form}
      aria-label="Grant a secret to an agent"
      noValidate
      className="grid scroll-mt-6 gap-4 rounded-xl border border-zinc-200 bg-white p-4 md:grid-cols-2 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (check.success) grant.mutate({ orgSlug, ...check.data });
      }}
    >
      {selectField("secretId", "Secret", secretId, setSecretId, secrets)}
      {selectField("agentId", "Agent", agentId, setAgentId, agents)}
      <div className="space-y-1">
        <label htmlFor="grant-hosts" className="block text-sm font-medium">
          Hosts
        </label>
        <textarea
          id="grant-hosts"
          rows={2}
          value={hosts}
          placeholder="api.anthropic.com"
          spellCheck={false}
          onChange={(e) => setHosts(e.target.value)}
          onBlur={() => touch("hosts")}
          aria-invalid={hostsError ? true : undefined}
          aria-describedby="grant-hosts-help"
          className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-xs shadow-sm aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900"
        />
        <p id="grant-hosts-help" className={hostsError ? errorText : hintText}>
          {hostsError ??
            "Only requests to these hosts get the secret. One per line or separated by commas; *.example.com for its subdomains."}
        </p>
      </div>
      <TextField
        name="grant-path-prefix"
        id="grant-pathPrefix"
        label="Path prefix (optional)"
        placeholder="/v1/"
        hint="When set, only requests under this path get the secret."
        spellCheck={false}
        value={pathPrefix}
        onValue={setPathPrefix}
        onBlur={() => touch("pathPrefix")}
        error={errorFor("pathPrefix")}
      />
      <fieldset className="space-y-2 md:col-span-2">
        <legend className="text-sm font-medium">Header the gateway adds</legend>
        <div className="flex flex-wrap gap-x-6 gap-y-2">
          {headerPresets.map((p) => (
            <label key={p.id} className="flex items-center gap-2 text-sm">
              <input
                type="radio"
                name="grant-header-preset"
                value={p.id}
                checked={preset === p.id}
                onChange={() => setPreset(p.id)}
              />
              <span className={p.id === "custom" ? undefined : "font-mono text-xs"}>{p.label}</span>
              {p.note && <span className={hintText}>({p.note})</span>}
            </label>
          ))}
        </div>
        {preset === "custom" && (
          <div className="grid gap-4 pt-2 md:grid-cols-2">
            <TextField
              name="grant-header-name"
              id="grant-headerName"
              label="Header name"
              placeholder="x-goog-api-key"
              spellCheck={false}
              value={headerName}
              onValue={setHeaderName}
              onBlur={() => touch("headerName")}
              error={errorFor("headerName")}
            />
            <TextField
              name="grant-header-template"
              id="grant-headerTemplate"
              label="Header value"
              hint="{value} is replaced by the secret, e.g. Token {value}."
              spellCheck={false}
              value={headerTemplate}
              onValue={setHeaderTemplate}
              onBlur={() => touch("headerTemplate")}
              error={errorFor("headerTemplate")}
            />
          </div>
        )}
      </fieldset>
      <div className="md:col-span-2">
        <TextField
          name="grant-placeholder-env"
          id="grant-placeholderEnv"
          label="Placeholder variable (optional)"
          placeholder="ANTHROPIC_API_KEY"
          spellCheck={false}
          hint="The agent gets an opaque placeholder in this variable for SDKs that insist on a key; the gateway swaps it for the real value only on requests to these hosts."
          value={placeholderEnv}
          onValue={setPlaceholderEnv}
          onBlur={() => touch("placeholderEnv")}
          error={errorFor("placeholderEnv")}
        />
      </div>
      <div className="space-y-2 md:col-span-2">
        {grant.error && !grant.error.data?.field && (
          <Notice tone="error">{grant.error.message}</Notice>
        )}
        <p className={hintText}>
          Granting a secret again to the same agent replaces that grant. Requests to other hosts
          never carry it.
        </p>
        <button type="submit" className={primaryButton} disabled={grant.isPending}>
          {grant.isPending ? "Granting…" : "Grant secret"}
        </button>
      </div>
    </form>
  );
});
