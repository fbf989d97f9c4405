// One task from start to its last event: prepare the workspace, watch for a cancel, run the
// agent under the task's deadline, and report how it ended (`result`, or `error`).
import Anthropic from "@anthropic-ai/sdk";
import { type AgentOutcome, runAgent, systemPrompt } from "./agent.ts";
import {
  describeError,
  sleep,
  type Task,
  TaskEventStream,
  TaskGone,
  type TaskService,
} from "./contract.ts";
import type { Workspace } from "./workspace.ts";

export interface TaskSettings {
  client: Anthropic;
  service: TaskService;
  workspace: Workspace;
  /** CORRAL_MODEL; a task may name its own. */
  defaultModel: string;
  maxTokens: number;
  maxTurns: number;
  /** Aborts when the runtime is stopping (SIGTERM). */
  stopping: AbortSignal;
  log: (line: string) => void;
}

/** Why a task's work was stopped. */
class Stop extends Error {
  constructor(
    message: string,
    readonly kind: "cancelled" | "timeout" | "gone" | "stopping" | "done",
  ) {
    super(message);
  }
}

export async function runTask(task: Task, settings: TaskSettings): Promise<void> {
  const started = Date.now();
  const work = new AbortController();
  const stop = (reason: Stop) => {
    if (!work.signal.aborted) work.abort(reason);
  };
  const events = new TaskEventStream(settings.service, task.id, {
    onCancel: () => stop(new Stop("cancelled", "cancelled")),
    onGone: (gone) => stop(new Stop(gone.message, "gone")),
    log: settings.log,
  });
  const timer = setTimeout(
    () => stop(new Stop(`timed out after ${task.timeoutSeconds} s`, "timeout")),
    task.timeoutSeconds * 1000,
  );
  const onStopping = () => stop(new Stop("the agent's container is stopping", "stopping"));
  settings.stopping.addEventListener("abort", onStopping, { once: true });
  if (settings.stopping.aborted) onStopping();
  const watching = watchForCancel(settings.service, task.id, work.signal, () =>
    stop(new Stop("cancelled", "cancelled")),
  );

  const model = task.model ?? settings.defaultModel;
  let ending: string;
  let outcome: AgentOutcome | null = null;
  try {
    events.emit({ type: "status", message: "started" });
    const inputs = await settings.workspace.prepare(task);
    outcome = await runAgent({
      client: settings.client,
      model,
      maxTokens: settings.maxTokens,
      maxTurns: settings.maxTurns,
      system: systemPrompt({
        workspace: settings.workspace.root,
        instructions: task.instructions,
        memory: await settings.workspace.memory(),
        inputs,
      }),
      prompt: task.prompt,
      emit: (event) => events.emit(event),
      appendText: (delta) => events.appendText(delta),
      tools: { workspace: settings.workspace, signal: work.signal },
    });
    events.emit({ type: "result", text: outcome.text });
    ending = "result";
  } catch (error) {
    const reason = work.signal.aborted ? work.signal.reason : null;
    if (reason instanceof Stop) {
      if (reason.kind !== "gone") {
        events.emit({
          type: "error",
          message: reason.message,
          ...(reason.kind === "cancelled" ? { cancelled: true } : {}),
        });
      }
      ending = reason.kind === "gone" ? `stopped (${reason.message})` : reason.message;
    } else {
      const message = describeModelError(error);
      events.emit({ type: "error", message });
      ending = `error: ${message}`;
    }
  } finally {
    clearTimeout(timer);
    settings.stopping.removeEventListener("abort", onStopping);
  }
  // Ends the cancel watch; the work is over either way.
  if (!work.signal.aborted) work.abort(new Stop("finished", "done"));
  const delivered = await events.drain(settings.stopping.aborted ? 5_000 : 300_000);
  await watching;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const tally = outcome
    ? `, ${outcome.modelCalls} model calls, ${outcome.toolCalls} tool calls, ${outcome.inputTokens}/${outcome.outputTokens} tokens in/out`
    : "";
  settings.log(
    `task ${task.id}: ${ending} (${model}, ${seconds} s${tally}${delivered ? "" : ", events lost"})`,
  );
}

/** Long-polls the control endpoint until the task ends; calls `onCancel` when asked to stop. */
async function watchForCancel(
  service: TaskService,
  taskId: string,
  signal: AbortSignal,
  onCancel: () => void,
): Promise<void> {
  let delayMs = 1000;
  while (!signal.aborted) {
    const asked = Date.now();
    try {
      if (await service.control(taskId, 20, signal)) return onCancel();
      delayMs = 1000;
      // An answer much sooner than asked for: do not spin.
      if (Date.now() - asked < 1000) await sleep(1000, signal);
      continue;
    } catch (error) {
      if (signal.aborted || error instanceof TaskGone) return;
    }
    await sleep(delayMs * (0.75 + Math.random() / 2), signal);
    delayMs = Math.min(delayMs * 2, 10_000);
  }
}

/** A model API failure in one line: status, the API's own message, never request headers. */
function describeModelError(error: unknown): string {
  if (error instanceof Anthropic.APIError && error.status) {
    const body = error.error as { error?: { message?: string } } | string | undefined;
    const detail =
      typeof body === "string"
        ? body.slice(0, 300)
        : (body?.error?.message ?? error.message.slice(0, 300));
    return `the model API answered ${error.status}: ${detail}`;
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return `cannot reach the model API: ${describeError(error)}`;
  }
  return describeError(error);
}
