// Claude Code, the real coding agent, as a Corral agent: the corral/claude-code image in a real
// sandbox (engine-container driver, reconciler) behind the real egress gateway, talking to the
// demo model (a scripted Messages API on loopback, named demo-model.corral for the gateway).
// The agent holds only a placeholder for the model key; the gateway adds the real one outside.
// Tasks come from a stand-in control plane on the gateway's task relay (the control plane's
// side of the contract is tested in server/tasks).

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeError } from "../../common/errors.ts";
import type { TaskEventParsed, TaskForAgent } from "../../common/task-contract.ts";
import type { DesiredState } from "../../common/worker-protocol.ts";
import { type DemoModel, start as startDemoModel } from "../../infra/dev/demo-model.ts";
import { ensureImage } from "../../infra/images/ensure-images.ts";
import {
  agentBaseRecipe,
  claudeCodeRecipe,
  sandboxEngineRecipe,
} from "../../infra/images/recipes.ts";
import { testSandboxStorageMb } from "../../test/fleet.ts";
import { EngineContainerDriver } from "../drivers/engine-container/index.ts";
import { connectEngine } from "../engine/docker-engine.ts";
import { Reconciler } from "../reconcile/reconciler.ts";
import { EgressGateway } from "./gateway.ts";
import type { TaskRelay } from "./task-relay.ts";
import { desiredAgent, desiredSandbox } from "./test-kit.ts";

const host = connectEngine(process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock");
const run = randomBytes(3).toString("hex");
const tenant = `claude-${run}`;
const agent = `claude-code-${run}`;
const modelHost = "demo-model.corral";
const testKey = `sk-ant-claude-code-test-${randomBytes(18).toString("hex")}`;

/** The control plane's side of the task contract, as far as the gateway's relay can tell. */
class FakeControlPlane implements TaskRelay {
  readonly events = new Map<string, TaskEventParsed[]>();
  private readonly queue: TaskForAgent[] = [];
  private readonly cancelled = new Set<string>();
  private wake: Array<() => void> = [];

  add(id: string, prompt: string): void {
    this.queue.push({ id, prompt, instructions: "", inputs: [], timeoutSeconds: 120, model: null });
    this.poke();
  }

  cancel(id: string): void {
    this.cancelled.add(id);
    this.poke();
  }

  taskEvents(id: string): TaskEventParsed[] {
    return [...(this.events.get(id) ?? [])].sort((a, b) => a.seq - b.seq);
  }

  async relay(
    method: "GET" | "POST",
    target: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(target, "http://control-plane/");
    if (method === "POST" && url.pathname === "/tasks/next") {
      const waitSeconds = (body as { waitSeconds: number }).waitSeconds;
      await this.until(
        () => this.queue.length > 0,
        Math.min(waitSeconds * 1000, timeoutMs),
        signal,
      );
      const task = this.queue.shift();
      return task ? { status: 200, body: { task } } : { status: 204, body: null };
    }
    if (method === "POST" && url.pathname === "/tasks/events") {
      const { taskId, events } = body as { taskId: string; events: TaskEventParsed[] };
      const kept = this.events.get(taskId) ?? [];
      for (const event of events) if (!kept.some((e) => e.seq === event.seq)) kept.push(event);
      this.events.set(taskId, kept);
      return { status: 200, body: { cancel: this.cancelled.has(taskId) } };
    }
    if (method === "GET" && url.pathname === "/tasks/control") {
      const taskId = url.searchParams.get("taskId") ?? "";
      const waitMs = Number(url.searchParams.get("wait") ?? 0) * 1000;
      await this.until(() => this.cancelled.has(taskId), Math.min(waitMs, timeoutMs), signal);
      return { status: 200, body: { cancel: this.cancelled.has(taskId) } };
    }
    return { status: 404, body: { error: `no ${method} ${target}` } };
  }

  private poke(): void {
    for (const wake of this.wake.splice(0)) wake();
  }

  /** Resolves when `ready()` holds, after `ms`, or when `signal` aborts. */
  private async until(ready: () => boolean, ms: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + ms;
    while (!ready() && Date.now() < deadline && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        signal?.addEventListener("abort", done, { once: true });
        this.wake.push(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  }
}

let driver: EngineContainerDriver;
let gateway: EgressGateway;
let reconciler: Reconciler;
let model: DemoModel;
let controlPlane: FakeControlPlane;
let root: string;
/** Why this host cannot build the image; the tests are skipped with it. */
let unavailable: string | null = null;

function state(image: string): DesiredState {
  return {
    version: 1,
    sandboxes: [
      desiredSandbox(
        tenant,
        [
          desiredAgent(agent, {
            image,
            command: [],
            env: { ANTHROPIC_BASE_URL: `http://${modelHost}:${model.port}` },
            // Claude Code is a ~400 MB executable with threads of its own: more than a shell.
            cpus: 1,
            memoryMb: 1024,
            pids: 256,
            workspaceMb: 256,
            egress: { preset: "MODEL_PROVIDER", rules: [], quarantined: false },
            grants: [
              {
                grantId: `grant-${run}`,
                secretId: `secret-${run}`,
                secretName: "ANTHROPIC",
                version: 1,
                value: testKey,
                hosts: [modelHost],
                pathPrefix: null,
                headerName: "x-api-key",
                headerTemplate: "{value}",
                placeholderEnv: "ANTHROPIC_API_KEY",
              },
            ],
          }),
        ],
        { cpus: 2, memoryMb: 2048 },
      ),
    ],
  };
}

async function inAgent(script: string) {
  return driver.exec(tenant, agent, ["sh", "-c", script]);
}

/** The task's events once one matches `until`; on timeout, what came and the agent's logs. */
async function eventsUntil(
  taskId: string,
  until: (event: TaskEventParsed) => boolean,
  timeoutMs: number,
): Promise<TaskEventParsed[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = controlPlane.taskEvents(taskId);
    if (events.some(until)) return events;
    if (Date.now() > deadline) {
      const logs = await driver.logs(tenant, agent, { tail: 40 }).catch(() => []);
      throw new Error(
        `timed out waiting on ${taskId}; events: ${JSON.stringify(events, null, 1)}\nagent logs:\n${logs.map((l) => l.text).join("\n")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  const log = (line: string) => console.log(line);
  const sandboxImage = await ensureImage(host, sandboxEngineRecipe, { log });
  const agentBase = await ensureImage(host, agentBaseRecipe, { log });
  let image: string;
  try {
    image = await ensureImage(host, claudeCodeRecipe, { log });
  } catch (error) {
    unavailable = `the corral/claude-code image cannot be built on this host: ${describeError(error)}`;
    console.warn(`claude-code: skipped: ${unavailable}`);
    return;
  }
  const runtimes = Object.keys(((await host.info()).Runtimes as object | undefined) ?? {});
  root = await mkdtemp(path.join(tmpdir(), "corral-claude-code-"));
  driver = new EngineContainerDriver(host, {
    runtime: runtimes.includes("runc-privfix") ? "runc-privfix" : "runc",
    stateDir: path.join(root, "sbx"),
    hostKey: `claude-${run}`,
    storageMb: testSandboxStorageMb + 1024,
    sandboxImage,
    agentImageDefault: agentBase,
  });
  model = await startDemoModel({ host: "127.0.0.1", deltaDelayMs: 2 });
  controlPlane = new FakeControlPlane();
  // The model listens on loopback under a name no DNS knows: the operator allows the range and
  // names the host, as a lab would.
  gateway = await EgressGateway.start({
    stateDir: path.join(root, "state"),
    allowRanges: ["127.0.0.1/32"],
    staticHosts: { [modelHost]: "127.0.0.1" },
    log: () => {},
  });
  gateway.setTaskRelay(controlPlane);
  reconciler = new Reconciler(driver, log, gateway);
  const desired = state(image);
  gateway.update(desired);
  reconciler.desired = desired;
  // A pass makes the sandbox (and copies the image in), then the agent; the next starts it.
  await reconciler.pass();
  await reconciler.pass();
  const [observed] = (await driver.listAgents(tenant)).filter((a) => a.agentId === agent);
  if (observed?.state !== "running")
    throw new Error(
      `${agent} is ${observed?.state ?? "missing"}: ${[...reconciler.agentProblems.values()].join("; ")}`,
    );
}, 300_000);

afterAll(async () => {
  await gateway?.close();
  await model?.close();
  await driver?.destroySandbox(tenant);
  if (root) await rm(root, { recursive: true, force: true });
}, 60_000);

describe("Claude Code as a Corral agent", () => {
  it("does a scripted task through the gateway: the file is in its workspace, the model saw the real key", {
    timeout: 180_000,
  }, async (context) => {
    if (unavailable) context.skip(unavailable);
    controlPlane.add("cc-write", "write /workspace/hello.txt: hello from claude code");
    const events = await eventsUntil(
      "cc-write",
      (e) => e.type === "result" || e.type === "error",
      150_000,
    );
    console.log(
      `claude-code: events ${events.map((e) => e.type).join(", ")}; the model server saw ${model.seen
        .map((r) => `${r.method} ${r.path}`)
        .join(", ")}`,
    );

    expect(events.find((e) => e.type === "error")).toBeUndefined();
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "status",
        message: expect.stringMatching(/^Claude Code \d+\.\d+\.\d+ started/),
      }),
    );
    const call = events.find(
      (e): e is Extract<TaskEventParsed, { type: "tool_call" }> => e.type === "tool_call",
    );
    expect(call).toMatchObject({
      name: "Write",
      input: { file_path: "/workspace/hello.txt", content: "hello from claude code\n" },
    });
    expect(events).toContainEqual(
      expect.objectContaining({ type: "tool_result", id: call?.id, isError: false }),
    );
    expect(events.filter((e) => e.type === "usage").length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatchObject({
      type: "result",
      text: "Done: I wrote /workspace/hello.txt.",
    });

    const file = await inAgent("cat /workspace/hello.txt; echo; id -u");
    expect(file.exitCode).toBe(0);
    expect(file.output).toBe("hello from claude code\n\n65534\n");

    // Claude Code's calls came through the gateway, which added the real key.
    const calls = model.seen.filter((r) => r.path === "/v1/messages");
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const request of model.seen) {
      expect(request.headers["x-api-key"]).toBe(testKey);
      expect(String(request.headers["user-agent"])).toMatch(/^claude-cli\//);
    }
  });

  it("holds only the placeholder: not in its environment, files or logs", {
    timeout: 60_000,
  }, async (context) => {
    if (unavailable) context.skip(unavailable);
    const search = await inAgent(
      [
        "env",
        "cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'",
        // Every file on the agent's filesystems (root, workspace with ~/.claude, tmp).
        `{ find / -xdev -type f; find /workspace /tmp -type f; } 2>/dev/null | xargs grep -l '${testKey.slice(0, 28)}' 2>/dev/null || echo no-file-holds-it`,
        "ls -a /workspace",
      ].join("; "),
    );
    expect(search.output).toContain("ANTHROPIC_API_KEY=corral-placeholder-");
    expect(search.output).toContain(`ANTHROPIC_BASE_URL=http://${modelHost}:${model.port}`);
    expect(search.output).toContain("HTTPS_PROXY=http://");
    expect(search.output).toContain("no-file-holds-it");
    // Claude Code kept its state in its home, the workspace (the root filesystem is read-only).
    expect(search.output).toContain(".claude.json");
    expect(search.output).not.toContain(testKey);
    const logs = await driver.logs(tenant, agent, { tail: 1000 });
    expect(JSON.stringify(logs)).not.toContain(testKey);
  });

  it("stops Claude Code and the command it runs when the task is cancelled", {
    timeout: 90_000,
  }, async (context) => {
    if (unavailable) context.skip(unavailable);
    controlPlane.add("cc-cancel", "run: until [ -e /workspace/.never ]; do sleep 1; done");
    await eventsUntil("cc-cancel", (e) => e.type === "tool_call", 60_000);
    // The call is announced before Claude Code starts its shell: wait for the loop to run.
    const busy = async () =>
      (await inAgent("ps -eo comm=")).output
        .split("\n")
        .filter((name) => name === "claude" || name === "sleep");
    await expect
      .poll(busy, { timeout: 20_000 })
      .toEqual(expect.arrayContaining(["claude", "sleep"]));

    controlPlane.cancel("cc-cancel");
    const events = await eventsUntil("cc-cancel", (e) => e.type === "error", 30_000);
    expect(events.at(-1)).toMatchObject({ type: "error", message: "cancelled", cancelled: true });
    await expect.poll(busy, { timeout: 10_000 }).toEqual([]);
  });
});
