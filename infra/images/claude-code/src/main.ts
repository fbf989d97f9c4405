// The Claude Code adapter: the entrypoint of corral/claude-code. It takes tasks from the
// control plane (the task contract v1, through the egress gateway, with the agent runtime's
// client: ../../agent-runtime/src/contract.ts) and hands each to Claude Code, the real agent
// people already use, then streams what Claude Code does back as events.
//
// Why the `claude` executable and not the Claude Agent SDK: the SDK is a wrapper that starts
// a native Claude Code executable of its own (its platform package: another copy) and
// speaks stream-json to it; it wants zod 4 and the MCP SDK as peers and gives nothing a task
// needs that print mode lacks. Driving `claude -p --output-format stream-json` directly
// keeps one copy of Claude Code in the image, exactly the version its npm package pins, and
// an adapter of a few hundred lines that needs only Debian's Node 18 (Claude Code itself is a
// native executable and needs no Node; its npm wrapper asks for Node 22, which is not used).
//
// Environment:
//   CORRAL_TASKS_URL            default http://corral.internal/tasks/v1
//   CORRAL_WORKSPACE            default /workspace (Claude Code's working directory)
//   CORRAL_MODEL                default: Claude Code's own choice (a task may name its model)
//   CORRAL_CLAUDE               default /usr/local/bin/claude
//   CORRAL_CLAUDE_PERMISSION_MODE  default acceptEdits (file edits in the workspace)
//   CORRAL_CLAUDE_ALLOWED_TOOLS default "Bash,WebFetch" (allowed without asking)
//   ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY  read by Claude Code itself: in Corral the key is a
//                               placeholder the gateway swaps for the real one outside.
import { randomUUID } from "node:crypto";
import { describeError, sleep, TaskService } from "../../agent-runtime/src/contract.ts";
import { Workspace } from "../../agent-runtime/src/workspace.ts";
import { runTask } from "./task.ts";

const env = process.env;
const log = (line: string) => console.log(`corral-claude-code: ${line}`);

function describeProxy(): string {
  const raw = env.HTTP_PROXY || env.http_proxy || env.HTTPS_PROXY || env.https_proxy;
  if (!raw) return "no proxy (HTTP_PROXY is unset)";
  try {
    return `proxy ${new URL(raw).host}`;
  } catch {
    return "proxy (unparsable HTTP_PROXY)";
  }
}

async function main() {
  const tasksUrl = (env.CORRAL_TASKS_URL || "http://corral.internal/tasks/v1").replace(/\/+$/, "");
  const workspace = await Workspace.open(env.CORRAL_WORKSPACE || "/workspace");
  const claude = env.CORRAL_CLAUDE || "/usr/local/bin/claude";
  const allowedTools = (env.CORRAL_CLAUDE_ALLOWED_TOOLS ?? "Bash,WebFetch")
    .split(/[\s,]+/)
    .filter(Boolean);
  const service = new TaskService(tasksUrl);
  const runId = randomUUID();
  const stopping = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      stopping.abort();
    });
  }
  const settings = {
    service,
    workspace,
    claude,
    defaultModel: env.CORRAL_MODEL || null,
    permissionMode: env.CORRAL_CLAUDE_PERMISSION_MODE || "acceptEdits",
    allowedTools,
    stopping: stopping.signal,
    log,
  };
  log(
    `run ${runId} started: tasks from ${tasksUrl}, ${claude} (model ${settings.defaultModel ?? "its default"}) at ${env.ANTHROPIC_BASE_URL || "https://api.anthropic.com"}, ${describeProxy()}, workspace ${workspace.root}`,
  );

  let delayMs = 1000;
  let failing = false;
  while (!stopping.signal.aborted) {
    let task: Awaited<ReturnType<TaskService["next"]>>;
    try {
      task = await service.next(runId, 20, stopping.signal);
    } catch (error) {
      if (stopping.signal.aborted) break;
      log(
        `cannot get a task from ${tasksUrl} (${describeError(error)}); retrying in ${Math.round(delayMs / 1000)} s`,
      );
      failing = true;
      await sleep(delayMs, stopping.signal);
      delayMs = Math.min(delayMs * 2, 30_000);
      continue;
    }
    if (failing) log(`reached ${tasksUrl} again`);
    failing = false;
    delayMs = 1000;
    if (!task) continue;
    try {
      await runTask(task, settings);
    } catch (error) {
      log(`task ${task.id}: the adapter failed: ${describeError(error)}`);
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`corral-claude-code: ${describeError(error)}`);
    process.exit(1);
  },
);
