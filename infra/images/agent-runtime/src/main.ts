// Corral's agent runtime: the default program of an agent container (corral/agent-runtime).
// It asks the control plane for tasks (the task contract v1, see contract.ts), works on each
// with a model through an Anthropic Messages-compatible API and its tools, and streams what
// happens back as events. Everything goes through the egress gateway in HTTP(S)_PROXY.
//
// Environment:
//   CORRAL_TASKS_URL         default http://corral.internal/tasks/v1
//   CORRAL_WORKSPACE         default /workspace
//   CORRAL_MODEL             default claude-sonnet-4-5 (a task may name its own)
//   CORRAL_MAX_TOKENS        default 8192 per model call
//   CORRAL_MAX_TURNS         default 100 model calls per task
//   CORRAL_TASK_CONCURRENCY  default 1
//   ANTHROPIC_BASE_URL       default https://api.anthropic.com
//   ANTHROPIC_API_KEY        sent as is: in Corral it holds a placeholder the gateway swaps
//                            for the real key outside the sandbox. Without one the runtime
//                            sends no key and relies on the gateway's grant to add it.
import { randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { describeError, sleep, TaskService } from "./contract.ts";
import { proxiedFetch } from "./http.ts";
import { runTask } from "./task.ts";
import { Workspace } from "./workspace.ts";

const env = process.env;
const log = (line: string) => console.log(`corral-runtime: ${line}`);

// The SDK warns on every request to a deprecated model (console.warn) and logs retries: say each
// such line once, in one line, with our prefix.
const warned = new Set<string>();
const warnOnce = (...parts: unknown[]) => {
  const line = parts.map(String).join(" ").replace(/\s+/g, " ").trim();
  if (warned.has(line)) return;
  warned.add(line);
  console.error(`corral-runtime: warning: ${line}`);
};
console.warn = warnOnce;

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/** The proxy's address, without its credentials. */
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
  const baseURL = env.ANTHROPIC_BASE_URL || "https://api.anthropic.com";
  const defaultModel = env.CORRAL_MODEL || "claude-sonnet-4-5";
  const concurrency = integer("CORRAL_TASK_CONCURRENCY", 1, 1, 16);
  const maxTokens = integer("CORRAL_MAX_TOKENS", 8192, 1, 128_000);
  const maxTurns = integer("CORRAL_MAX_TURNS", 100, 1, 10_000);
  const key = env.ANTHROPIC_API_KEY || env.ANTHROPIC_AUTH_TOKEN || null;
  const workspace = await Workspace.open(env.CORRAL_WORKSPACE || "/workspace");

  const client = new Anthropic({
    apiKey: key,
    baseURL,
    fetch: proxiedFetch,
    maxRetries: 3,
    timeout: 10 * 60 * 1000,
    logger: { error: warnOnce, warn: warnOnce, info: () => {}, debug: () => {} },
    // No key: send none, and let the gateway's grant add it.
    ...(key ? {} : { defaultHeaders: { authorization: null } }),
  });
  const service = new TaskService(tasksUrl);
  const runId = randomUUID();
  const stopping = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      stopping.abort();
    });
  }

  log(
    `run ${runId} started: tasks from ${tasksUrl}, model ${defaultModel} at ${baseURL}, ${describeProxy()}, workspace ${workspace.root}, ${concurrency} at a time`,
  );
  const settings = {
    client,
    service,
    workspace,
    defaultModel,
    maxTokens,
    maxTurns,
    stopping: stopping.signal,
    log,
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let delayMs = 1000;
      let failing = false;
      while (!stopping.signal.aborted) {
        let task: Awaited<ReturnType<TaskService["next"]>>;
        try {
          task = await service.next(runId, 20, stopping.signal);
        } catch (error) {
          if (stopping.signal.aborted) break;
          const wait = Math.round(delayMs / 1000);
          log(
            `cannot get a task from ${tasksUrl} (${describeError(error)}); retrying in ${wait} s`,
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
          log(`task ${task.id}: the runtime failed: ${describeError(error)}`);
        }
      }
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`corral-runtime: ${describeError(error)}`);
    process.exit(1);
  },
);
