"use client";
// A new schedule: name, cron expression, time zone, prompt and what to do with missed runs,
// with the next five runs shown as the expression is typed (asked of the same scheduler
// that will fire it).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import { toast } from "sonner";
import type { z } from "zod";
import { primaryButton, secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { scheduleFieldsSchema } from "@/server/schedules/schemas.ts";
import { useDebounced } from "../../tasks/hooks.ts";
import { formatRun } from "./schedule-time.ts";

const muted = "text-zinc-600 dark:text-zinc-400";
const errorText = "text-sm text-red-700 dark:text-red-400";
const inputClass =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900";

// The API's own rules for the fields the form shows; whether the scheduler understands the
// expression comes from schedules.preview as it is typed.
const scheduleFormSchema = scheduleFieldsSchema.pick({
  name: true,
  cron: true,
  timezone: true,
  prompt: true,
});
type Field = keyof z.input<typeof scheduleFormSchema>;

const presets = [
  ["Every hour", "0 * * * *"],
  ["Every day at 09:00", "0 9 * * *"],
  ["Weekdays at 09:00", "0 9 * * 1-5"],
  ["Mondays at 08:00", "0 8 * * 1"],
] as const;

export function ScheduleForm(props: {
  orgSlug: string;
  agentId: string;
  agentName: string;
  onDone: () => void;
}) {
  const { orgSlug, agentId } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const zones = useMemo(() => {
    try {
      return Intl.supportedValuesOf("timeZone");
    } catch {
      return ["UTC"];
    }
  }, []);
  const [values, setValues] = useState<Record<Field, string>>(() => ({
    name: "",
    cron: "",
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    prompt: "",
  }));
  const [missed, setMissed] = useState<"SKIP" | "RUN_ONCE">("SKIP");
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);

  const check = scheduleFormSchema.safeParse(values);
  const issues = check.success ? [] : check.error.issues;
  const localError = (field: Field) => issues.find((i) => i.path[0] === field)?.message;

  // The scheduler's own reading of the expression, asked once typing pauses.
  const asked = useDebounced({ cron: values.cron.trim(), timezone: values.timezone.trim() }, 300);
  const askable = !localError("cron") && !localError("timezone");
  const preview = useQuery(
    trpc.schedules.preview.queryOptions(
      { orgSlug, cron: asked.cron, timezone: asked.timezone },
      { enabled: askable && asked.cron !== "", placeholderData: (previous) => previous },
    ),
  );
  const settled = asked.cron === values.cron.trim() && asked.timezone === values.timezone.trim();
  const cronRefused = askable && settled && preview.data?.runs === null;

  const create = useMutation(
    trpc.schedules.create.mutationOptions({
      onSuccess: (schedule) => {
        toast.success(`Schedule ${schedule.name} created.`);
        props.onDone();
        return queryClient.invalidateQueries({ queryKey: trpc.schedules.list.pathKey() });
      },
    }),
  );
  const serverField = create.error?.data?.field;
  const serverZod = create.error?.data?.zodError?.fieldErrors as
    | Record<string, string[] | undefined>
    | undefined;

  const errorFor = (field: Field) => {
    const shown = touched[field] || submitted;
    const local = shown ? localError(field) : undefined;
    if (local) return local;
    if (field === "cron" && cronRefused && (touched.cron || submitted || values.cron.length > 8))
      return "Not a cron expression this scheduler understands";
    if (serverField === field) return create.error?.message;
    return serverZod?.[field]?.[0];
  };
  const set = (field: Field, value: string) => setValues((v) => ({ ...v, [field]: value }));
  const touch = (field: Field) => setTouched((t) => ({ ...t, [field]: true }));

  const field = (
    name: Field,
    label: string,
    options: { hint: string; placeholder?: string; list?: string; mono?: boolean },
  ) => {
    const fieldId = `${id}-${name}`;
    const error = errorFor(name);
    return (
      <div className="space-y-1">
        <label htmlFor={fieldId} className="block text-sm font-medium">
          {label}
        </label>
        <input
          id={fieldId}
          value={values[name]}
          placeholder={options.placeholder}
          list={options.list}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => set(name, e.target.value)}
          onBlur={() => touch(name)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${fieldId}-help`}
          className={`${inputClass} ${options.mono ? "font-mono" : ""}`}
        />
        <p id={`${fieldId}-help`} className={error ? errorText : `text-xs ${muted}`}>
          {error ?? options.hint}
        </p>
      </div>
    );
  };

  const runs = askable && settled && preview.data?.runs ? preview.data.runs : null;
  const promptError = errorFor("prompt");

  return (
    <form
      aria-label="New schedule"
      noValidate
      className="space-y-4 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (check.success && !cronRefused)
          create.mutate({ orgSlug, agentId, ...check.data, missed });
      }}
    >
      <h3 className="font-semibold">New schedule for {props.agentName}</h3>
      <div className="grid gap-4 md:grid-cols-2">
        {field("name", "Name", {
          hint: "e.g. nightly-report: shown as who started its tasks.",
          placeholder: "nightly-report",
        })}
        {field("timezone", "Time zone", {
          hint: "The zone the expression is read in (daylight saving included).",
          list: `${id}-zones`,
        })}
        <datalist id={`${id}-zones`}>
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <div className="space-y-2">
          {field("cron", "Cron expression", {
            hint: "minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5",
            placeholder: "0 9 * * 1-5",
            mono: true,
          })}
          <fieldset className="flex flex-wrap gap-1.5">
            <legend className="sr-only">Common schedules</legend>
            {presets.map(([label, cron]) => (
              <button
                key={cron}
                type="button"
                className="rounded-full border border-zinc-300 px-2 py-0.5 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
                onClick={() => {
                  set("cron", cron);
                  touch("cron");
                }}
              >
                {label}
              </button>
            ))}
          </fieldset>
        </div>
        <div
          className="space-y-1 rounded-lg bg-zinc-50 p-3 text-sm dark:bg-zinc-800/50"
          data-testid="schedule-preview"
          aria-live="polite"
        >
          <p className="font-medium">Next five runs</p>
          {values.cron.trim() === "" ? (
            <p className={`text-xs ${muted}`}>Type an expression to see when it runs.</p>
          ) : !askable ? (
            <p className={`text-xs ${muted}`}>Waiting for a complete expression and time zone.</p>
          ) : cronRefused ? (
            <p className={`text-xs ${muted}`}>The scheduler does not understand it.</p>
          ) : preview.isError ? (
            <p className={errorText}>{preview.error.message}</p>
          ) : !runs ? (
            <p className={`text-xs ${muted}`}>Working them out…</p>
          ) : (
            <ol className="space-y-0.5 font-mono text-xs">
              {runs.map((run) => (
                <li key={new Date(run).toISOString()}>{formatRun(run, values.timezone.trim())}</li>
              ))}
            </ol>
          )}
        </div>
      </div>
      <div className="space-y-1">
        <label htmlFor={`${id}-prompt`} className="block text-sm font-medium">
          Prompt
        </label>
        <textarea
          id={`${id}-prompt`}
          rows={3}
          value={values.prompt}
          onChange={(e) => set("prompt", e.target.value)}
          onBlur={() => touch("prompt")}
          aria-invalid={promptError ? true : undefined}
          aria-describedby={`${id}-prompt-help`}
          className={inputClass}
        />
        <p id={`${id}-prompt-help`} className={promptError ? errorText : `text-xs ${muted}`}>
          {promptError ?? "The task each run gives the agent."}
        </p>
      </div>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Runs missed while Corral was down</legend>
        {(
          [
            ["SKIP", "Skip them", "The next run happens on time; missed ones are dropped."],
            [
              "RUN_ONCE",
              "Run once",
              "One run as soon as Corral is back, however many were missed.",
            ],
          ] as const
        ).map(([value, label, help]) => (
          <label key={value} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name={`${id}-missed`}
              className="mt-1"
              checked={missed === value}
              onChange={() => setMissed(value)}
            />
            <span>
              <span className="font-medium">{label}</span> <span className={muted}>{help}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {create.error && !serverField && Object.keys(serverZod ?? {}).length === 0 && (
        <Notice tone="error">{create.error.message}</Notice>
      )}
      <div className="flex gap-2">
        <button type="submit" className={primaryButton} disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create schedule"}
        </button>
        <button type="button" className={secondaryButton} onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
