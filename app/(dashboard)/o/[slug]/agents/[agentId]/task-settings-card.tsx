"use client";
// How the agent takes tasks (how many at once, how long each may run, what happens to tasks
// given while it is stopped) and its standing instructions, judged as they are typed by the
// schema tasks.settings applies.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { toast } from "sonner";
import { primaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { agentTaskSettingsSchema } from "@/server/tasks/schemas.ts";
import { formatSeconds } from "../../tasks/format.ts";

const muted = "text-zinc-600 dark:text-zinc-400";
const errorText = "text-sm text-red-700 dark:text-red-400";
const inputClass =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm aria-invalid:border-red-500 disabled:opacity-70 dark:border-zinc-700 dark:bg-zinc-900";
const maxInstructions = 20_000;

type WhenStopped = "WAIT" | "FAIL";

export function TaskSettingsCard(props: {
  orgSlug: string;
  agentId: string;
  agentName: string;
  taskConcurrency: number;
  taskTimeoutSeconds: number;
  whenStopped: WhenStopped;
  instructions: string;
  editable: boolean;
}) {
  const { orgSlug, agentId, agentName, editable } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [concurrency, setConcurrency] = useState(String(props.taskConcurrency));
  const [timeout, setTimeoutText] = useState(String(props.taskTimeoutSeconds));
  const [whenStopped, setWhenStopped] = useState<WhenStopped>(props.whenStopped);
  const [instructions, setInstructions] = useState(props.instructions);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const save = useMutation(
    trpc.tasks.settings.mutationOptions({
      onSuccess: () => {
        setSubmitted(false);
        toast.success(`Task settings of ${agentName} saved; they apply to the next task.`);
        return queryClient.invalidateQueries({
          queryKey: trpc.agents.get.queryKey({ orgSlug, agentId }),
        });
      },
    }),
  );

  const whole = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN);
  const check = agentTaskSettingsSchema.safeParse({
    agentId,
    taskConcurrency: whole(concurrency),
    taskTimeoutSeconds: whole(timeout),
    whenStopped,
    instructions,
  });
  const errorOf = (field: "taskConcurrency" | "taskTimeoutSeconds" | "instructions") => {
    if (!touched[field] && !submitted) return undefined;
    const text =
      field === "taskConcurrency" ? concurrency : field === "taskTimeoutSeconds" ? timeout : null;
    if (text !== null && Number.isNaN(whole(text))) return "A whole number";
    if (check.success) return undefined;
    return check.error.issues.find((i) => i.path[0] === field)?.message;
  };
  const changed =
    concurrency.trim() !== String(props.taskConcurrency) ||
    timeout.trim() !== String(props.taskTimeoutSeconds) ||
    whenStopped !== props.whenStopped ||
    instructions !== props.instructions;
  const touch = (field: string) => setTouched((t) => ({ ...t, [field]: true }));

  const numberField = (
    field: "taskConcurrency" | "taskTimeoutSeconds",
    label: string,
    value: string,
    set: (v: string) => void,
    hint: string,
  ) => {
    const error = errorOf(field);
    const fieldId = `${id}-${field}`;
    return (
      <div className="space-y-1">
        <label htmlFor={fieldId} className="block text-sm font-medium">
          {label}
        </label>
        <input
          id={fieldId}
          inputMode="numeric"
          autoComplete="off"
          value={value}
          onChange={(e) => set(e.target.value)}
          onBlur={() => touch(field)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${fieldId}-help`}
          className={inputClass}
        />
        <p id={`${fieldId}-help`} className={error ? errorText : `text-xs ${muted}`}>
          {error ?? hint}
        </p>
      </div>
    );
  };
  const instructionsError = errorOf("instructions");

  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="space-y-4 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 id={`${id}-heading`} className="font-semibold">
        Task settings
      </h2>
      <form
        aria-label="Task settings"
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted(true);
          if (check.success) save.mutate({ orgSlug, ...check.data });
        }}
      >
        <fieldset disabled={!editable} className="space-y-4">
          <div className="grid gap-4 sm:grid-cols-2">
            {numberField(
              "taskConcurrency",
              "Tasks at once",
              concurrency,
              setConcurrency,
              "From 1 to 8; more tasks wait in line, first come first served.",
            )}
            {numberField(
              "taskTimeoutSeconds",
              "Timeout (seconds)",
              timeout,
              setTimeoutText,
              `${formatSeconds(whole(timeout)) || "—"} per task, unless a task sets its own; then it is stopped as timed out.`,
            )}
          </div>
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium">
              Tasks given while {agentName} is stopped
            </legend>
            {(
              [
                ["WAIT", "Wait", "They queue and start once the agent runs again."],
                ["FAIL", "Fail at once", "They are refused with a reason, so callers know."],
              ] as const
            ).map(([value, label, help]) => (
              <label key={value} className="flex items-start gap-2 text-sm">
                <input
                  type="radio"
                  name={`${id}-when-stopped`}
                  className="mt-1"
                  checked={whenStopped === value}
                  onChange={() => setWhenStopped(value)}
                />
                <span>
                  <span className="font-medium">{label}</span> <span className={muted}>{help}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="space-y-1">
            <label htmlFor={`${id}-instructions`} className="block text-sm font-medium">
              Standing instructions (the agent's memory file from you)
            </label>
            <p id={`${id}-instructions-about`} className={`text-xs ${muted}`}>
              Given to {agentName} with every task, like a CLAUDE.md: conventions, where things are,
              what never to do. The agent keeps its own notes in /workspace/MEMORY.md.
            </p>
            <textarea
              id={`${id}-instructions`}
              rows={8}
              value={instructions}
              spellCheck
              onChange={(e) => setInstructions(e.target.value)}
              onBlur={() => touch("instructions")}
              aria-invalid={instructionsError ? true : undefined}
              aria-describedby={`${id}-instructions-about ${id}-instructions-help`}
              className={`${inputClass} font-mono text-xs leading-relaxed`}
            />
            <p
              id={`${id}-instructions-help`}
              className={instructionsError ? errorText : `text-xs ${muted}`}
            >
              {instructionsError ??
                `${instructions.length.toLocaleString("en")} of ${maxInstructions.toLocaleString("en")} characters`}
            </p>
          </div>
        </fieldset>
        {save.error && <Notice tone="error">{save.error.message}</Notice>}
        {editable ? (
          <div className="flex items-center gap-3">
            <button type="submit" className={primaryButton} disabled={save.isPending}>
              {save.isPending ? "Saving…" : "Save task settings"}
            </button>
            {changed && <span className={`text-sm ${muted}`}>Unsaved changes</span>}
          </div>
        ) : (
          <p className={`text-sm ${muted}`}>Viewers cannot change task settings.</p>
        )}
      </form>
    </section>
  );
}
