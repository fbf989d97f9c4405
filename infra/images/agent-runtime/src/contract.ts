// The Corral task contract v1, agent side. Every request goes through the proxy (HTTP_PROXY) to
// the reserved host corral.internal, which the egress gateway answers and relays to the control
// plane; nothing ever connects into the sandbox.
//   POST {base}/next                      {runId, waitSeconds} → 200 {task} | 204
//   POST {base}/tasks/{id}/events         {events: [{seq, type, at, …}]} → 200 {cancel}
//                                         409: the task is finished; 404: unknown
//   GET  {base}/tasks/{id}/control?wait=  → 200 {cancel}, at once when a cancel is asked for
import { requestJson } from "./http.ts";

export interface TaskInput {
  name: string;
  contentBase64: string;
}

export interface Task {
  id: string;
  prompt: string;
  instructions: string;
  inputs: TaskInput[];
  timeoutSeconds: number;
  model: string | null;
}

export type TaskEvent =
  | { type: "status"; message: string }
  | { type: "text"; text: string }
  | { type: "tool_call"; id: string; name: string; input: unknown }
  | { type: "tool_result"; id: string; output: string; isError: boolean }
  | { type: "usage"; model: string; inputTokens: number; outputTokens: number }
  | { type: "result"; text: string }
  | { type: "error"; message: string; cancelled?: boolean };

type SentEvent = TaskEvent & { seq: number; at: string };

export class TaskService {
  constructor(readonly base: string) {}

  /** The next task, or null when none came within `waitSeconds`. Throws when unreachable. */
  async next(runId: string, waitSeconds: number, signal?: AbortSignal): Promise<Task | null> {
    const { status, body } = await requestJson(
      "POST",
      `${this.base}/next`,
      { runId, waitSeconds },
      { timeoutMs: (waitSeconds + 15) * 1000, signal },
    );
    if (status === 204) return null;
    if (status !== 200) throw new Error(`HTTP ${status}${describeBody(body)}`);
    return parseTask((body as { task?: unknown } | null)?.task);
  }

  /** Whether a cancel was asked for, answered within about `waitSeconds`. */
  async control(taskId: string, waitSeconds: number, signal: AbortSignal): Promise<boolean> {
    const { status, body } = await requestJson(
      "GET",
      `${this.taskUrl(taskId)}/control?wait=${waitSeconds}`,
      undefined,
      { timeoutMs: (waitSeconds + 15) * 1000, signal },
    );
    if (status === 404 || status === 409) throw new TaskGone(status);
    if (status !== 200) throw new Error(`HTTP ${status}${describeBody(body)}`);
    return (body as { cancel?: unknown } | null)?.cancel === true;
  }

  taskUrl(taskId: string): string {
    return `${this.base}/tasks/${encodeURIComponent(taskId)}`;
  }
}

/** The control plane no longer wants events for this task: 409 finished, 404 unknown. */
export class TaskGone extends Error {
  constructor(readonly status: number) {
    super(status === 409 ? "the task is already finished" : "the task is unknown");
  }
}

export interface EventStreamOptions {
  /** Called when an answer says the task was cancelled. */
  onCancel: () => void;
  /** Called once when the control plane answers 409 or 404: stop working on the task. */
  onGone: (gone: TaskGone) => void;
  log: (line: string) => void;
  /** Text deltas are gathered for this long before they become one event; default 100 ms. */
  textBatchMs?: number;
}

/**
 * A task's events, numbered from 1 and delivered in order, in batches, at least once: a batch
 * that fails is sent again (with back-off) until it is acknowledged, and the control plane drops
 * sequence numbers it already has. One request is in flight at a time; events emitted meanwhile
 * go in the next batch.
 */
export class TaskEventStream {
  private seq = 0;
  private queue: SentEvent[] = [];
  private text = "";
  private textTimer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private gone: TaskGone | null = null;
  private readonly url: string;

  constructor(
    service: TaskService,
    private readonly taskId: string,
    private readonly options: EventStreamOptions,
  ) {
    this.url = `${service.taskUrl(taskId)}/events`;
  }

  emit(event: TaskEvent): void {
    this.takeText();
    this.push(event);
  }

  /** A piece of the assistant's text; consecutive pieces are sent as one event. */
  appendText(delta: string): void {
    if (!delta) return;
    this.text += delta;
    this.textTimer ??= setTimeout(() => {
      this.takeText();
      this.kick();
    }, this.options.textBatchMs ?? 100);
  }

  /**
   * Waits until every event is acknowledged (true), the task is gone, or `timeoutMs` passes
   * (false: events were lost, which is logged).
   */
  async drain(timeoutMs: number): Promise<boolean> {
    this.takeText();
    this.kick();
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && !this.gone && Date.now() < deadline) {
      await Promise.race([this.pumping, sleep(Math.min(1000, deadline - Date.now()))]);
      this.kick();
    }
    if (this.queue.length > 0 && !this.gone) {
      this.options.log(`task ${this.taskId}: gave up delivering ${this.queue.length} events`);
      return false;
    }
    return true;
  }

  private takeText(): void {
    if (this.textTimer) clearTimeout(this.textTimer);
    this.textTimer = null;
    if (!this.text) return;
    const text = this.text;
    this.text = "";
    this.push({ type: "text", text });
  }

  private push(event: TaskEvent): void {
    if (this.gone) return;
    this.seq += 1;
    this.queue.push({ seq: this.seq, at: new Date().toISOString(), ...event });
    this.kick();
  }

  private kick(): void {
    if (this.pumping || this.queue.length === 0 || this.gone) return;
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      // Events may have arrived while the last request was finishing.
      if (this.queue.length > 0 && !this.gone) this.kick();
    });
  }

  private async pump(): Promise<void> {
    let delayMs = 250;
    let failing: string | null = null;
    while (this.queue.length > 0 && !this.gone) {
      const batch = this.queue.slice(0, 100);
      let problem: string;
      try {
        const { status, body } = await requestJson(
          "POST",
          this.url,
          { events: batch },
          { timeoutMs: 15_000 },
        );
        if (status === 200) {
          this.queue.splice(0, batch.length);
          if (failing) this.options.log(`task ${this.taskId}: events delivered again`);
          failing = null;
          delayMs = 250;
          if ((body as { cancel?: unknown } | null)?.cancel === true) this.options.onCancel();
          continue;
        }
        if (status === 409 || status === 404) {
          this.gone = new TaskGone(status);
          this.queue = [];
          this.options.onGone(this.gone);
          return;
        }
        problem = `HTTP ${status}${describeBody(body)}`;
      } catch (error) {
        problem = describeError(error);
      }
      if (!failing) {
        this.options.log(`task ${this.taskId}: cannot deliver events (${problem}); retrying`);
      }
      failing = problem;
      await sleep(delayMs * (0.75 + Math.random() / 2));
      delayMs = Math.min(delayMs * 2, 5000);
    }
  }
}

function parseTask(raw: unknown): Task {
  const task = (raw ?? {}) as Record<string, unknown>;
  if (typeof task.id !== "string" || !task.id) throw new Error("the task has no id");
  const inputs = Array.isArray(task.inputs) ? task.inputs : [];
  return {
    id: task.id,
    prompt: typeof task.prompt === "string" ? task.prompt : "",
    instructions: typeof task.instructions === "string" ? task.instructions : "",
    inputs: inputs.filter(
      (input): input is TaskInput =>
        typeof input?.name === "string" && typeof input?.contentBase64 === "string",
    ),
    timeoutSeconds:
      typeof task.timeoutSeconds === "number" && task.timeoutSeconds > 0
        ? task.timeoutSeconds
        : 1800,
    model: typeof task.model === "string" && task.model ? task.model : null,
  };
}

function describeBody(body: unknown): string {
  if (body === null || body === undefined || body === "") return "";
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return `: ${text.slice(0, 200)}`;
}

/** An error and its causes in one line, e.g. "fetch failed: self-signed certificate". */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error, depth = 0; at !== undefined && depth < 4; depth++) {
    const message = (at instanceof Error ? at.message : String(at)).replace(/\.$/, "");
    if (message && !parts.includes(message)) parts.push(message);
    at = at instanceof Error ? (at as { cause?: unknown }).cause : undefined;
  }
  return parts.join(": ");
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
