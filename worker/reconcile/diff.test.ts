import { describe, expect, it } from "vitest";
import type { DesiredAgent, DesiredSandbox } from "../../common/worker-protocol.ts";
import type { ObservedAgent } from "../drivers/driver.ts";
import { diffAgents, diffSandboxes } from "./diff.ts";
import { agentStatus } from "./observed-state.ts";

const sandbox = (tenantId: string, over: Partial<DesiredSandbox> = {}): DesiredSandbox => ({
  tenantId,
  tenantSlug: tenantId,
  isolation: null,
  cpus: 2,
  memoryMb: 2048,
  egressCeiling: null,
  agents: [],
  ...over,
});
const agent = (agentId: string, over: Partial<DesiredAgent> = {}): DesiredAgent => ({
  agentId,
  name: agentId,
  generation: 1,
  desiredState: "RUNNING",
  image: "corral/agent-base:1",
  command: [],
  env: {},
  cpus: 0.5,
  memoryMb: 256,
  pids: 256,
  workspaceMb: 256,
  egress: { preset: "NONE", rules: [], quarantined: false },
  grants: [],
  ...over,
});
const container = (agentId: string, over: Partial<ObservedAgent> = {}): ObservedAgent => ({
  tenantId: "t",
  agentId,
  generation: 1,
  containerId: `c-${agentId}`,
  state: "running",
  restartCount: 0,
  ...over,
});
const kinds = (actions: { kind: string; agentId?: string; purge?: boolean }[]) =>
  actions.map(
    (a) =>
      `${a.kind}${"agentId" in a && a.agentId ? `:${a.agentId}` : ""}${a.purge ? ":purge" : ""}`,
  );

describe("reconcile diff: sandboxes", () => {
  it.each([
    ["creates a missing sandbox", [sandbox("a")], [], ["ensureSandbox"]],
    [
      "repairs one that is not ready",
      [sandbox("a")],
      [{ tenantId: "a", ready: false }],
      ["ensureSandbox"],
    ],
    ["leaves a ready one alone", [sandbox("a")], [{ tenantId: "a", ready: true }], []],
    [
      "destroys one no longer placed here",
      [],
      [{ tenantId: "b", ready: true }],
      ["destroySandbox"],
    ],
    [
      "makes one in the wall its tenant now asks for (the old one goes first)",
      [sandbox("a", { isolation: "microvm" })],
      [{ tenantId: "a", ready: true, isolation: "container" as const }],
      ["destroySandbox", "ensureSandbox"],
    ],
    [
      "leaves a ready one in the right wall alone",
      [sandbox("a", { isolation: "microvm" })],
      [{ tenantId: "a", ready: true, isolation: "microvm" as const }],
      [],
    ],
    [
      "trusts a host that does not say which wall holds it",
      [sandbox("a", { isolation: "microvm" })],
      [{ tenantId: "a", ready: true }],
      [],
    ],
  ])("%s", (_, desired, observed, expected) => {
    expect(diffSandboxes(desired, observed).map((a) => a.kind)).toEqual(expected);
  });

  it("asks the driver for the wall the control plane chose", () => {
    const [action] = diffSandboxes([sandbox("a", { isolation: "container" })], []);
    expect(action).toMatchObject({ kind: "ensureSandbox", spec: { isolation: "container" } });
  });
});

describe("reconcile diff: agents", () => {
  it.each<[string, DesiredAgent[], ObservedAgent[], string[]]>([
    [
      "creates and starts a missing running agent",
      [agent("x")],
      [],
      ["createAgent", "startAgent:x"],
    ],
    [
      "keeps a stopped agent's next run created, not started",
      [agent("x", { desiredState: "STOPPED" })],
      [],
      ["createAgent"],
    ],
    [
      "keeps it beside the finished run, whose logs stay readable",
      [agent("x", { desiredState: "STOPPED" })],
      [container("x", { state: "exited", exitCode: 143 })],
      ["createAgent"],
    ],
    [
      "leaves a stopped agent with its next run ready alone",
      [agent("x", { desiredState: "STOPPED" })],
      [container("x", { state: "exited" }), container("x", { generation: 2, state: "created" })],
      [],
    ],
    [
      "starts the ready container when a stopped agent starts again",
      [agent("x", { generation: 2 })],
      [container("x", { state: "exited" }), container("x", { generation: 2, state: "created" })],
      ["startAgent:x", "removeOldAgents:x"],
    ],
    [
      "starts one left created by a crash mid-provision",
      [agent("x")],
      [container("x", { state: "created" })],
      ["startAgent:x"],
    ],
    ["leaves a running agent alone", [agent("x")], [container("x")], []],
    [
      "finishes the start of one running without its limits yet",
      [agent("x")],
      [container("x", { limitsPending: true })],
      ["startAgent:x"],
    ],
    [
      "stops a running agent that should be stopped",
      [agent("x", { desiredState: "STOPPED" })],
      [container("x")],
      ["stopAgent:x"],
    ],
    [
      "stops a crash-looping one that should be stopped",
      [agent("x", { desiredState: "STOPPED" })],
      [container("x", { state: "restarting" })],
      ["stopAgent:x"],
    ],
    [
      "replaces a container of an older generation",
      [agent("x", { generation: 2 })],
      [container("x")],
      ["removeAgent:x", "createAgent", "startAgent:x"],
    ],
    [
      "removes duplicates and starts over",
      [agent("x")],
      [container("x"), container("x", { containerId: "dup" })],
      ["removeAgent:x", "createAgent", "startAgent:x"],
    ],
    [
      "leaves a finished or crashed one to the engine",
      [agent("x")],
      [container("x", { state: "exited", exitCode: 1 })],
      [],
    ],
    [
      "removes, with its workspace, an agent no longer desired",
      [],
      [container("gone")],
      ["removeAgent:gone:purge"],
    ],
  ])("%s", (_, desired, observed, expected) => {
    expect(kinds(diffAgents("t", desired, observed))).toEqual(expected);
  });

  it("keeps nothing ready when warm starts are off", () => {
    const stopped = [agent("x", { desiredState: "STOPPED" })];
    expect(diffAgents("t", stopped, [], { warmStarts: false })).toEqual([]);
  });

  it("readies a stopped agent's next generation, after this pass's starts and stops", () => {
    const actions = diffAgents(
      "t",
      [agent("idle", { desiredState: "STOPPED", generation: 4 }), agent("busy")],
      [],
    );
    expect(kinds(actions)).toEqual(["createAgent", "startAgent:busy", "createAgent"]);
    expect(actions.at(-1)).toMatchObject({ spec: { agentId: "idle", generation: 5, hold: true } });
  });

  const stopped = agent("x", { desiredState: "STOPPED", generation: 4 });
  const next = (over: Partial<ObservedAgent>) =>
    container("x", { generation: 5, held: true, ...over });
  it.each<[string, ObservedAgent, string[]]>([
    ["asks again for a hold made but not started", next({ state: "created" }), ["createAgent"]],
    [
      "asks again for a hold stopped since (a sandbox restart)",
      next({ state: "exited", exitCode: 137 }),
      ["createAgent"],
    ],
    ["leaves a held next run waiting", next({ state: "running", limitsPending: true }), []],
    [
      "leaves a next run that cannot be held created",
      next({ state: "created", held: undefined }),
      [],
    ],
  ])("%s", (_, warm, expected) => {
    const old = container("x", { generation: 4, state: "exited", exitCode: 143 });
    expect(kinds(diffAgents("t", [stopped], [old, warm]))).toEqual(expected);
  });

  it("starts a held next run by releasing it, then clears the last run", () => {
    const held = container("x", {
      generation: 5,
      held: true,
      limitsPending: true,
    });
    const last = container("x", { generation: 4, state: "exited", exitCode: 143 });
    expect(kinds(diffAgents("t", [agent("x", { generation: 5 })], [held, last]))).toEqual([
      "startAgent:x",
      "removeOldAgents:x",
    ]);
  });
});

describe("reported agent state", () => {
  const now = Date.parse("2026-11-27T12:00:00Z");
  it.each<[string, DesiredAgent, ObservedAgent[], string | undefined, string]>([
    ["provisioning while no container exists", agent("x"), [], undefined, "PROVISIONING"],
    [
      "running",
      agent("x"),
      [container("x", { startedAt: "2026-11-27T11:00:00Z" })],
      undefined,
      "RUNNING",
    ],
    [
      "crash-looping while the engine restarts it",
      agent("x"),
      [container("x", { state: "restarting", restartCount: 3, exitCode: 1 })],
      undefined,
      "CRASH_LOOPING",
    ],
    [
      "crash-looping just after a restart",
      agent("x"),
      [container("x", { restartCount: 2, startedAt: "2026-11-27T11:59:50Z" })],
      undefined,
      "CRASH_LOOPING",
    ],
    [
      "running again once it has settled",
      agent("x"),
      [container("x", { restartCount: 2, startedAt: "2026-11-27T11:58:00Z" })],
      undefined,
      "RUNNING",
    ],
    [
      "failed when out of memory",
      agent("x"),
      [container("x", { state: "exited", exitCode: 137, oomKilled: true })],
      undefined,
      "FAILED",
    ],
    [
      "stopped when it finished",
      agent("x"),
      [container("x", { state: "exited", exitCode: 0 })],
      undefined,
      "STOPPED",
    ],
    [
      "failed when the driver could not create it",
      agent("x"),
      [],
      "image nope is not on this host",
      "FAILED",
    ],
    [
      "stopping while still running",
      agent("x", { desiredState: "STOPPED" }),
      [container("x")],
      undefined,
      "STOPPING",
    ],
    [
      "stopped",
      agent("x", { desiredState: "STOPPED" }),
      [container("x", { state: "exited", exitCode: 143 })],
      undefined,
      "STOPPED",
    ],
    [
      "provisioning while a held next run waits to be released",
      agent("x"),
      [container("x", { held: true, limitsPending: true, startedAt: "2026-11-27T11:00:00Z" })],
      undefined,
      "PROVISIONING",
    ],
    [
      "running once a held run is released",
      agent("x"),
      [container("x", { held: true, startedAt: "2026-11-27T11:00:00Z" })],
      undefined,
      "RUNNING",
    ],
  ])("%s", (_, desired, containers, problem, expected) => {
    expect(agentStatus(desired, containers, problem, now).state).toBe(expected);
  });

  it("does not report a held container's hold as its start", () => {
    const held = container("x", {
      held: true,
      limitsPending: true,
      startedAt: "2026-11-27T11:00:00Z",
    });
    expect(agentStatus(agent("x"), [held], undefined, now).startedAt).toBeUndefined();
  });
});
