"use client";
// Where the agent may connect: a preset, or rules (allow/deny by host, ports, methods and
// paths), each judged as it is typed by the schema the API and the gateway use.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRef, useState } from "react";
import { toast } from "sonner";
import { dangerButton, primaryButton, secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { splitList } from "@/app/lib/lists.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import {
  type EgressPreset,
  type EgressRule,
  egressPolicySchema,
  egressRuleSchema,
  httpMethods,
} from "@/common/egress-policy.ts";

const muted = "text-zinc-600 dark:text-zinc-400";
const inputClass =
  "block w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm aria-invalid:border-red-500 disabled:opacity-70 dark:border-zinc-700 dark:bg-zinc-900";

interface RuleText {
  key: number;
  action: "allow" | "deny";
  host: string;
  ports: string;
  methods: string;
  paths: string;
}
type RuleField = "host" | "ports" | "methods" | "paths";

const presets: { id: EgressPreset; label: string; help: string }[] = [
  { id: "NONE", label: "No network", help: "Nothing leaves the sandbox." },
  {
    id: "MODEL_PROVIDER",
    label: "Model provider only",
    help: "Only the hosts of its grants, e.g. api.anthropic.com for its model key.",
  },
  { id: "CUSTOM", label: "Custom", help: "Your own allow and deny rules, below." },
];

function toText(rule: EgressRule, key: number): RuleText {
  return {
    key,
    action: rule.action,
    host: rule.host,
    ports: rule.ports.join(", "),
    methods: rule.methods.join(", "),
    paths: rule.paths.join(", "),
  };
}

function fromText(rule: RuleText) {
  return {
    action: rule.action,
    host: rule.host,
    ports: splitList(rule.ports).map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN)),
    methods: splitList(rule.methods).map((m) => m.toUpperCase()),
    paths: splitList(rule.paths),
  };
}

/** What is wrong with each field of a rule, in the words a person would use. */
function ruleErrors(rule: RuleText): Partial<Record<RuleField, string>> {
  const check = egressRuleSchema.safeParse(fromText(rule));
  if (check.success) return {};
  const errors: Partial<Record<RuleField, string>> = {};
  for (const issue of check.error.issues) {
    const field = issue.path[0] as RuleField;
    if (errors[field]) continue;
    errors[field] =
      field === "ports"
        ? "Ports are numbers from 1 to 65535, e.g. 443 (at most 16)"
        : field === "methods"
          ? `Methods are ${httpMethods.join(", ")}`
          : issue.message;
  }
  return errors;
}

export function EgressPolicyForm(props: {
  orgSlug: string;
  agentId: string;
  preset: EgressPreset;
  rules: EgressRule[];
  grantHosts: string[];
  ceiling: string[] | null;
  editable: boolean;
}) {
  const { orgSlug, agentId, editable } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nextKey = useRef(props.rules.length);
  const [preset, setPreset] = useState<EgressPreset>(props.preset);
  const [rules, setRules] = useState<RuleText[]>(() => props.rules.map(toText));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const save = useMutation(
    trpc.egress.setPolicy.mutationOptions({
      onSuccess: () => {
        setSubmitted(false);
        toast.success("Policy saved: the gateway applies it within a second, without a restart.");
        return queryClient.invalidateQueries({
          queryKey: trpc.egress.agent.queryKey({ orgSlug, agentId }),
        });
      },
    }),
  );

  const parsed = rules.map(fromText);
  const errors = rules.map(ruleErrors);
  const policy = egressPolicySchema.safeParse({
    preset,
    rules: preset === "CUSTOM" ? parsed : [],
  });
  const rulesValid = preset !== "CUSTOM" || errors.every((e) => Object.keys(e).length === 0);
  const shown = (i: number, field: RuleField) => {
    const rule = rules[i];
    if (!rule || (!touched[`${rule.key}.${field}`] && !submitted)) return undefined;
    return errors[i]?.[field];
  };
  const touch = (key: number, field: RuleField) =>
    setTouched((t) => ({ ...t, [`${key}.${field}`]: true }));
  const update = (key: number, change: Partial<RuleText>) =>
    setRules((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const addRule = () => {
    const key = nextKey.current++;
    setRules((rs) => [
      ...rs,
      { key, action: "allow", host: "", ports: "", methods: "", paths: "" },
    ]);
    // Focus the new rule's host once it is drawn.
    requestAnimationFrame(() => document.getElementById(`rule-${key}-host`)?.focus());
  };

  const field = (i: number, rule: RuleText, name: RuleField, label: string, hint: string) => {
    const id = `rule-${rule.key}-${name}`;
    const error = shown(i, name);
    return (
      <div className="space-y-1">
        <label htmlFor={id} className="block text-xs font-medium">
          {label}
        </label>
        <input
          id={id}
          value={rule[name]}
          placeholder={hint}
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => update(rule.key, { [name]: e.target.value })}
          onBlur={() => touch(rule.key, name)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          className={`${inputClass} font-mono text-xs`}
        />
        {error && (
          <p id={`${id}-error`} className="text-xs text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
    );
  };

  return (
    <section
      aria-labelledby="policy-heading"
      className="space-y-4 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 id="policy-heading" className="font-semibold">
        Egress policy
      </h2>
      {props.ceiling && (
        <Notice tone="info">
          {props.ceiling.length === 0
            ? "The organisation's ceiling allows no host: nothing leaves, whatever these rules say."
            : `The organisation's ceiling limits every agent to ${props.ceiling.join(", ")}, whatever these rules say.`}{" "}
          <Link href={`/o/${orgSlug}/settings`} className="underline">
            Settings
          </Link>
        </Notice>
      )}
      <form
        aria-label="Egress policy"
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(true);
          if (policy.success && rulesValid)
            save.mutate({ orgSlug, agentId, preset, rules: policy.data.rules });
        }}
      >
        <fieldset disabled={!editable} className="space-y-4">
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium">Where this agent may connect</legend>
            {presets.map((p) => (
              <label key={p.id} className="flex items-start gap-2 text-sm">
                <input
                  type="radio"
                  name="egress-preset"
                  className="mt-1"
                  checked={preset === p.id}
                  onChange={() => setPreset(p.id)}
                />
                <span>
                  <span className="font-medium">{p.label}</span>{" "}
                  <span className={muted}>
                    {p.id === "MODEL_PROVIDER"
                      ? props.grantHosts.length
                        ? `Only the hosts of its grants: ${props.grantHosts.join(", ")}.`
                        : "Only the hosts of its grants (none yet)."
                      : p.help}
                  </span>
                </span>
              </label>
            ))}
          </fieldset>

          {preset === "CUSTOM" && (
            <div className="space-y-3">
              <p className={`text-xs ${muted}`}>
                Anything no rule allows is refused. <strong>Deny rules win</strong>: a request
                matching a deny rule is refused even when an allow rule matches it too. Leave ports,
                methods or paths empty for any; naming methods or paths makes the gateway read the
                requests to that host.
              </p>
              {rules.length === 0 ? (
                <p className="rounded-md border border-dashed border-zinc-300 p-4 text-center text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">
                  No rules yet: this agent reaches nothing.
                </p>
              ) : (
                <ol className="space-y-3">
                  {rules.map((rule, i) => (
                    <li key={rule.key} data-testid="egress-rule">
                      <fieldset className="grid gap-3 rounded-lg border border-zinc-200 p-3 sm:grid-cols-2 lg:grid-cols-[7rem_2fr_1fr_1fr_1.5fr_auto] lg:items-start dark:border-zinc-700">
                        <legend className="px-1 text-xs font-semibold">Rule {i + 1}</legend>
                        <div className="space-y-1">
                          <label
                            htmlFor={`rule-${rule.key}-action`}
                            className="block text-xs font-medium"
                          >
                            Action
                          </label>
                          <select
                            id={`rule-${rule.key}-action`}
                            value={rule.action}
                            onChange={(e) =>
                              update(rule.key, { action: e.target.value as RuleText["action"] })
                            }
                            className={inputClass}
                          >
                            <option value="allow">allow</option>
                            <option value="deny">deny</option>
                          </select>
                        </div>
                        {field(i, rule, "host", "Host", "api.example.com")}
                        {field(i, rule, "ports", "Ports", "any")}
                        {field(i, rule, "methods", "Methods", "any")}
                        {field(i, rule, "paths", "Path prefixes", "any")}
                        {editable && (
                          <button
                            type="button"
                            className={`${dangerButton} lg:mt-5`}
                            onClick={() => setRules((rs) => rs.filter((r) => r.key !== rule.key))}
                          >
                            Remove<span className="sr-only"> rule {i + 1}</span>
                          </button>
                        )}
                      </fieldset>
                    </li>
                  ))}
                </ol>
              )}
              {editable && (
                <button type="button" className={secondaryButton} onClick={addRule}>
                  Add rule
                </button>
              )}
            </div>
          )}
        </fieldset>
        {submitted && !rulesValid && (
          <Notice tone="error">Fix the rules marked above, then save again.</Notice>
        )}
        {submitted && rulesValid && !policy.success && (
          <Notice tone="error">{policy.error.issues[0]?.message}</Notice>
        )}
        {save.error && <Notice tone="error">{save.error.message}</Notice>}
        {editable ? (
          <button type="submit" className={primaryButton} disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save policy"}
          </button>
        ) : (
          <p className={`text-sm ${muted}`}>Only owners and admins can change the policy.</p>
        )}
      </form>
    </section>
  );
}
