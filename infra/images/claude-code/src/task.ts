// One task, start to last event: write its inputs into the workspace, run Claude Code on it
// (`claude -p`, the prompt on stdin, stream-json out), pass what it does on as events, and
// stop it (its whole process group: Bash children too) on cancel, timeout or shutdown.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import {
  describeError,
  sleep,
  type Task,
  TaskEventStream,
  TaskGone,
  type TaskService,
} from "../../agent-runtime/src/contract.ts";
import type { Workspace } from "../../agent-runtime/src/workspace.ts";
import { type ClaudeOutcome, clip, StreamJsonMapper } from "./stream-json.ts";

export interface AdapterSettings {
  service: TaskService;
  workspace: Workspace;
  /** The `claude` executable. */
  claude: string;
  /** CORRAL_MODEL; a task may name its own; null: Claude Code's default. */
  defaultModel: string | null;
  /** Claude Code's permission mode: acceptEdits lets it edit files in the workspace. */
  permissionMode: string;
  /** Tools allowed without asking, e.g. Bash, WebFetch (nobody is there to ask). */
  allowedTools: string[];
  /** Aborts when the adapter is stopping (SIGTERM). */
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

export async function runTask(task: Task, settings: AdapterSettings): Promise<void> {
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
  const mapper = new StreamJsonMapper({
    emit: (event) => events.emit(event),
    appendText: (delta) => events.appendText(delta),
  });
  let ending: string;
  try {
    events.emit({ type: "status", message: "started" });
    const inputs = await settings.workspace.prepare(task);
    const outcome = await runClaude(
      {
        claude: settings.claude,
        cwd: settings.workspace.root,
        prompt: task.prompt,
        args: claudeArguments({
          model,
          permissionMode: settings.permissionMode,
          allowedTools: settings.allowedTools,
          systemPrompt: appendedSystemPrompt(settings.workspace.root, task.instructions, inputs),
        }),
        mapper,
        log: settings.log,
      },
      work.signal,
    );
    if (outcome.ok) {
      events.emit({ type: "result", text: outcome.text });
      ending = "result";
    } else {
      events.emit({ type: "error", message: outcome.message });
      ending = `error: ${outcome.message}`;
    }
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
      const message = clip(describeError(error), 1900);
      events.emit({ type: "error", message });
      ending = `error: ${message}`;
    }
  } finally {
    clearTimeout(timer);
    settings.stopping.removeEventListener("abort", onStopping);
  }
  if (!work.signal.aborted) work.abort(new Stop("finished", "done"));
  const delivered = await events.drain(settings.stopping.aborted ? 5_000 : 300_000);
  await watching;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  settings.log(
    `task ${task.id}: ${ending} (${model ?? "Claude Code's default model"}, ${seconds} s, ${mapper.modelCalls} model calls, ${mapper.toolCalls} tool calls, ${mapper.inputTokens}/${mapper.outputTokens} tokens in/out${delivered ? "" : ", events lost"})`,
  );
}

/**
 * Claude Code's command line, without the prompt (it goes on stdin: no argument length
 * limit). Print mode with stream-json is its documented non-interactive interface; partial
 * messages give text as it streams and usage per model call. Nobody can answer a permission
 * prompt, so prompts are refused (`--permission-prompts none`) and what is allowed is said up
 * front: edits in the workspace (acceptEdits) and the listed tools. The container is the
 * boundary that matters: read-only root, no capabilities, no way out but the gateway.
 */
export function claudeArguments(options: {
  model: string | null;
  permissionMode: string;
  allowedTools: string[];
  systemPrompt: string;
}): string[] {
  const args = [
    "-p",
    "--output-format",
    "stream-json",
    "--verbose",
    "--include-partial-messages",
    "--permission-mode",
    options.permissionMode,
    "--permission-prompts",
    "none",
    // Each task is its own conversation; Corral keeps the transcript as events.
    "--no-session-persistence",
  ];
  if (options.allowedTools.length > 0) args.push("--allowedTools", options.allowedTools.join(","));
  if (options.model) args.push("--model", options.model);
  args.push("--append-system-prompt", options.systemPrompt);
  return args;
}

/** What Claude Code is told about where it runs, plus the operator's instructions. */
export function appendedSystemPrompt(
  workspace: string,
  instructions: string,
  inputs: string[],
): string {
  const parts = [
    `You are running unattended as an agent in Corral, inside a sandboxed Linux container: nobody will answer questions or approve anything during this task, so complete it on your own and end with a short summary of what you did and found.
Your workspace is ${workspace}, your working directory; it is kept between tasks, everything else in the container may be reset. Keep notes worth keeping for later tasks in ${workspace}/CLAUDE.md.
The network is reachable only through an egress gateway (already set in HTTP_PROXY and HTTPS_PROXY, which curl, git and most tools honour); hosts outside your policy are refused with HTTP 403 and a "corral-gateway: denied" message. There is no DNS inside the container: tools that resolve names themselves will fail.`,
  ];
  if (inputs.length > 0) {
    parts.push(
      `The task came with these input files:\n${inputs.map((file) => `- ${file}`).join("\n")}`,
    );
  }
  if (instructions.trim()) {
    parts.push(`# Your instructions (from your operator)\n\n${instructions.trim()}`);
  }
  return parts.join("\n\n");
}

interface ClaudeRun {
  claude: string;
  cwd: string;
  prompt: string;
  args: string[];
  mapper: StreamJsonMapper;
  log: (line: string) => void;
}

/**
 * Runs Claude Code to its result. On abort its process group gets SIGTERM, then SIGKILL
 * after 5 s, and this rejects with the signal's reason once it has exited.
 */
export async function runClaude(run: ClaudeRun, signal: AbortSignal): Promise<ClaudeOutcome> {
  if (signal.aborted) throw signal.reason;
  // Its own process group, so a stop reaches the commands its Bash tool started.
  const child = spawn(run.claude, run.args, {
    cwd: run.cwd,
    env: process.env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code, exitSignal) => resolve({ code, signal: exitSignal }));
    },
  );
  child.stdin.on("error", () => {
    // It exited before reading the prompt; its exit says why.
  });
  child.stdin.end(run.prompt);

  const stderrTail: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 20) stderrTail.shift();
    run.log(`claude: ${line}`);
  });
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (!line.trim()) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      run.log(`claude (not JSON): ${line.slice(0, 500)}`);
      return;
    }
    run.mapper.handle(message);
  });

  let killTimer: NodeJS.Timeout | undefined;
  const kill = () => {
    signalGroup(child.pid, "SIGTERM");
    killTimer = setTimeout(() => signalGroup(child.pid, "SIGKILL"), 5000);
  };
  signal.addEventListener("abort", kill, { once: true });
  try {
    const exit = await exited;
    if (signal.aborted) throw signal.reason;
    if (run.mapper.outcome) return run.mapper.outcome;
    const how = exit.code !== null ? `code ${exit.code}` : `signal ${exit.signal}`;
    const said = stderrTail.join(" | ").trim();
    return {
      ok: false,
      message: clip(
        `Claude Code exited with ${how} before its result${said ? `: ${said}` : ""}`,
        1900,
      ),
    };
  } finally {
    signal.removeEventListener("abort", kill);
    clearTimeout(killTimer);
    // Whatever it left running (a backgrounded command) goes with it.
    signalGroup(child.pid, "SIGKILL");
  }
}

function signalGroup(pid: number | undefined, name: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, name);
  } catch {
    // The group is gone already.
  }
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
      if (Date.now() - asked < 1000) await sleep(1000, signal);
      continue;
    } catch (error) {
      if (signal.aborted || error instanceof TaskGone) return;
    }
    await sleep(delayMs * (0.75 + Math.random() / 2), signal);
    delayMs = Math.min(delayMs * 2, 10_000);
  }
}
