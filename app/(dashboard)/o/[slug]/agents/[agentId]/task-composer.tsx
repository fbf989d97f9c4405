"use client";
// Giving the agent a task: a prompt, optional files (sent base64, limits shown and checked as
// they are picked), an optional timeout; judged as it is typed by the API's own schema.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Paperclip, Send, X } from "lucide-react";
import { useId, useRef, useState } from "react";
import { toast } from "sonner";
import { primaryButton, secondaryButton } from "@/app/_components/buttons.ts";
import { Notice } from "@/app/_components/notice.tsx";
import { useTRPC } from "@/app/lib/trpc.ts";
import { createTaskSchema, maxInputBytes, maxInputsBytes } from "@/server/tasks/schemas.ts";
import { formatBytes } from "../../secrets/ledger.tsx";
import { formatSeconds } from "../../tasks/format.ts";

const muted = "text-zinc-600 dark:text-zinc-400";
const errorText = "text-sm text-red-700 dark:text-red-400";
const maxFiles = 10;

interface PickedFile {
  key: number;
  name: string;
  size: number;
  /** Null while it is read, or when it is too large to send (never read). */
  contentBase64: string | null;
  readError?: string;
}

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function TaskComposer(props: {
  orgSlug: string;
  agentId: string;
  agentName: string;
  /** Why tasks would wait or fail now (the agent is stopped…), if they would. */
  warning: string | null;
  defaultTimeoutSeconds: number;
  onStarted: (taskId: string) => void;
}) {
  const { orgSlug, agentId, agentName } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const nextKey = useRef(0);
  const [prompt, setPrompt] = useState("");
  const [files, setFiles] = useState<PickedFile[]>([]);
  const [timeout, setTimeoutText] = useState("");
  const [touched, setTouched] = useState(false);
  const [submitted, setSubmitted] = useState(false);

  const create = useMutation(
    trpc.tasks.create.mutationOptions({
      onSuccess: (task) => {
        setPrompt("");
        setFiles([]);
        setTimeoutText("");
        setTouched(false);
        setSubmitted(false);
        toast.success(
          task.status === "FAILED"
            ? `The task failed at once: ${task.reason}`
            : `Task given to ${agentName}.`,
        );
        props.onStarted(task.id);
        return queryClient.invalidateQueries({ queryKey: trpc.tasks.list.pathKey() });
      },
    }),
  );

  const timeoutSeconds = timeout.trim() === "" ? undefined : Number(timeout);
  const reading = files.some(
    (f) => f.contentBase64 === null && !f.readError && f.size <= maxInputBytes,
  );
  const tooLarge = files.filter((f) => f.size > maxInputBytes);
  const check = createTaskSchema.safeParse({
    agentId,
    prompt,
    inputs: files.map((f) => ({ name: f.name, contentBase64: f.contentBase64 ?? "" })),
    timeoutSeconds,
  });
  const issues = check.success ? [] : check.error.issues;
  const promptError =
    touched || submitted ? issues.find((i) => i.path[0] === "prompt")?.message : undefined;
  const timeoutError =
    timeout.trim() && !/^\d+$/.test(timeout.trim())
      ? "A whole number of seconds"
      : timeoutSeconds !== undefined && (timeoutSeconds < 10 || timeoutSeconds > 86_400)
        ? "From 10 seconds to a day (86,400)"
        : undefined;
  const fileError = (i: number) => {
    const file = files[i];
    if (file?.readError) return file.readError;
    if (file && file.size > maxInputBytes)
      return `Each file is at most 1 MiB (this one is ${formatBytes(file.size)})`;
    const issue = issues.find((x) => x.path[0] === "inputs" && x.path[1] === i);
    return issue?.message;
  };
  const listIssue = issues.find((x) => x.path[0] === "inputs" && x.path.length === 1)?.message;
  const total = files.reduce((n, f) => n + f.size, 0);
  const valid = check.success && !reading && tooLarge.length === 0 && !timeoutError;

  const pick = (list: FileList | null) => {
    if (!list) return;
    const picked = [...list].map((file) => ({ file, key: nextKey.current++ }));
    setFiles((fs) => [
      ...fs,
      ...picked.map(({ file, key }) => ({
        key,
        name: file.name,
        size: file.size,
        contentBase64: null,
      })),
    ]);
    for (const { file, key } of picked) {
      // Files over the limit are refused without being read.
      if (file.size > maxInputBytes) continue;
      file
        .arrayBuffer()
        .then((buffer) => {
          const content = toBase64(buffer);
          setFiles((fs) => fs.map((f) => (f.key === key ? { ...f, contentBase64: content } : f)));
        })
        .catch(() =>
          setFiles((fs) =>
            fs.map((f) => (f.key === key ? { ...f, readError: "This file could not be read" } : f)),
          ),
        );
    }
    if (fileInput.current) fileInput.current.value = "";
  };

  const submit = () => {
    setSubmitted(true);
    if (!valid || !check.success) return;
    create.mutate({ orgSlug, ...check.data });
  };

  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="space-y-3 rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h2 id={`${id}-heading`} className="font-semibold">
        New task
      </h2>
      {props.warning && <Notice tone="info">{props.warning}</Notice>}
      <form
        aria-label={`Give ${agentName} a task`}
        noValidate
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="space-y-1">
          <label htmlFor={`${id}-prompt`} className="block text-sm font-medium">
            What should {agentName} do?
          </label>
          <textarea
            id={`${id}-prompt`}
            name="prompt"
            rows={4}
            value={prompt}
            placeholder="e.g. Write a short summary of the files in /workspace to SUMMARY.md"
            onChange={(e) => setPrompt(e.target.value)}
            onBlur={() => prompt && setTouched(true)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                submit();
              }
            }}
            aria-invalid={promptError ? true : undefined}
            aria-describedby={`${id}-prompt-help`}
            className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900"
          />
          <p id={`${id}-prompt-help`} className={promptError ? errorText : `text-xs ${muted}`}>
            {promptError ??
              "The agent also gets its standing instructions (below) and its memory file. Ctrl+Enter sends."}
          </p>
        </div>

        <div className="space-y-2">
          <div className="flex flex-wrap items-center gap-3">
            <label
              className={`${secondaryButton} inline-flex cursor-pointer items-center gap-1.5 focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-indigo-500`}
            >
              <input
                ref={fileInput}
                type="file"
                multiple
                className="sr-only"
                aria-describedby={`${id}-files-help`}
                onChange={(e) => pick(e.target.files)}
              />
              <Paperclip aria-hidden="true" className="size-4" />
              Attach files
            </label>
            <p id={`${id}-files-help`} className={`text-xs ${muted}`}>
              Optional. Up to {maxFiles} files, 1 MiB each, {formatBytes(maxInputsBytes)} in all;
              the agent finds them in /workspace/inputs.
            </p>
          </div>
          {files.length > 0 && (
            <ul className="space-y-1 text-sm" aria-label="Attached files">
              {files.map((f, i) => {
                const error = fileError(i);
                return (
                  <li
                    key={f.key}
                    className="flex flex-wrap items-center gap-2"
                    data-testid="task-file"
                  >
                    <span className="font-mono text-xs">{f.name}</span>
                    <span className={`text-xs ${muted}`}>
                      {formatBytes(f.size)}
                      {f.contentBase64 === null && !error && " · reading…"}
                    </span>
                    <button
                      type="button"
                      className="rounded p-0.5 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
                      onClick={() => setFiles((fs) => fs.filter((x) => x.key !== f.key))}
                    >
                      <X aria-hidden="true" className="size-4" />
                      <span className="sr-only">Remove {f.name}</span>
                    </button>
                    {error && <span className={errorText}>{error}</span>}
                  </li>
                );
              })}
              <li className={`text-xs ${listIssue ? "text-red-700 dark:text-red-400" : muted}`}>
                {listIssue ??
                  `${files.length} of ${maxFiles} files, ${formatBytes(total)} of ${formatBytes(maxInputsBytes)}`}
              </li>
            </ul>
          )}
        </div>

        <div className="flex flex-wrap items-end gap-4">
          <div className="w-56 space-y-1">
            <label htmlFor={`${id}-timeout`} className="block text-sm font-medium">
              Timeout in seconds (optional)
            </label>
            <input
              id={`${id}-timeout`}
              inputMode="numeric"
              autoComplete="off"
              value={timeout}
              placeholder={String(props.defaultTimeoutSeconds)}
              onChange={(e) => setTimeoutText(e.target.value)}
              aria-invalid={timeoutError ? true : undefined}
              aria-describedby={`${id}-timeout-help`}
              className="block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm aria-invalid:border-red-500 dark:border-zinc-700 dark:bg-zinc-900"
            />
            <p id={`${id}-timeout-help`} className={timeoutError ? errorText : `text-xs ${muted}`}>
              {timeoutError ??
                `Default: the agent's ${formatSeconds(props.defaultTimeoutSeconds) || "timeout"}.`}
            </p>
          </div>
          <button
            type="submit"
            className={`${primaryButton} inline-flex items-center gap-1.5`}
            disabled={create.isPending || reading}
          >
            <Send aria-hidden="true" className="size-4" />
            {create.isPending ? "Starting…" : reading ? "Reading files…" : "Start task"}
          </button>
        </div>
        {submitted && !valid && !promptError && (
          <p className={errorText}>Fix what is marked above, then start the task again.</p>
        )}
        {create.error && <Notice tone="error">{create.error.message}</Notice>}
      </form>
    </section>
  );
}
