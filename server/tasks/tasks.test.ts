// Tasks through the API and the task contract (as a host relays it), on the real database.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { enrolTestHost } from "../../test/fleet.ts";
import { purgeFinishedTasks } from "../audit/retention.ts";
import { applyReport } from "../fleet/report.ts";
import { createCaller } from "../root-router.ts";
import { fireSchedule } from "../schedules/service.ts";
import { appendTaskEvents, claimNextTask, TaskRelayError, taskControl } from "./dispatch.ts";
import { sweepTasks } from "./lifecycle.ts";

const db = connectTestDb();
const tag = () => randomBytes(4).toString("hex");
const spec = { image: "corral/agent-base:latest", cpuMillis: 250, memoryMb: 128, workspaceMb: 128 };

async function setup() {
  const pool = tag();
  const { hostId } = await enrolTestHost(db, `host-${pool}`, { labels: { pool } });
  const owner = await makeUser(db);
  const viewer = await makeUser(db);
  const org = await makeOrg(db, [
    { userId: owner.id, role: "OWNER" },
    { userId: viewer.id, role: "VIEWER" },
  ]);
  await db.organization.update({ where: { id: org.id }, data: { placementLabels: { pool } } });
  const api = createCaller(contextFor(db, owner));
  const agent = await api.agents.create({
    orgSlug: org.slug,
    name: "worker-bee",
    ...spec,
    start: true,
  });
  const host = await db.workerHost.findUniqueOrThrow({ where: { id: hostId } });
  return { org, api, viewerApi: createCaller(contextFor(db, viewer)), agent, host };
}

const claim = (host: { id: string }, agentId: string, runId = "run-1", waitSeconds = 0) =>
  claimNextTask(db, host, { agentId, generation: 1, runId, waitSeconds });

describe("tasks", () => {
  it("queue FIFO per agent, one at a time, and run to a result with usage and cost", async () => {
    const { org, api, agent, host } = await setup();
    const first = await api.tasks.create({
      orgSlug: org.slug,
      agentId: agent.id,
      prompt: "first",
      inputs: [{ name: "notes.txt", contentBase64: Buffer.from("hi").toString("base64") }],
    });
    const second = await api.tasks.create({
      orgSlug: org.slug,
      agentId: agent.id,
      prompt: "second",
    });
    const got = await claim(host, agent.id);
    expect(got).toMatchObject({
      id: first.id,
      prompt: "first",
      inputs: [{ name: "notes.txt", contentBase64: "aGk=" }],
    });
    expect(await claim(host, agent.id)).toBeNull(); // concurrency 1: the second waits
    const events = [
      { seq: 1, type: "status" as const, message: "started" },
      { seq: 2, type: "text" as const, text: "Working" },
      { seq: 3, type: "tool_call" as const, id: "t1", name: "bash", input: { command: "ls" } },
      { seq: 4, type: "tool_result" as const, id: "t1", output: "a.txt", isError: false },
      {
        seq: 5,
        type: "usage" as const,
        model: "claude-sonnet-4-5",
        inputTokens: 1000,
        outputTokens: 200,
      },
    ];
    expect(
      await appendTaskEvents(db, host, { agentId: agent.id, taskId: first.id, events }),
    ).toEqual({ cancel: false });
    // A retried post stores nothing twice.
    await appendTaskEvents(db, host, {
      agentId: agent.id,
      taskId: first.id,
      events: events.slice(3),
    });
    await appendTaskEvents(db, host, {
      agentId: agent.id,
      taskId: first.id,
      events: [{ seq: 6, type: "result", text: "Done." }],
    });
    const done = await api.tasks.get({ orgSlug: org.slug, taskId: first.id });
    expect(done).toMatchObject({
      status: "SUCCEEDED",
      result: "Done.",
      inputTokens: 1000,
      outputTokens: 200,
      startedByType: "USER",
    });
    expect(done.costUsd).toBeCloseTo(0.006);
    expect(
      (await db.taskEvent.findMany({ where: { taskId: first.id } })).map((e) => e.seq),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await claim(host, agent.id))?.id).toBe(second.id);
    const actions = (
      await db.auditEvent.findMany({
        where: { chain: org.id, action: { startsWith: "task." } },
        orderBy: { seq: "asc" },
      })
    ).map((e) => e.action);
    expect(actions).toEqual([
      "task.queued",
      "task.queued",
      "task.started",
      "task.succeeded",
      "task.started",
    ]);
  });

  it("hand a task to a waiting agent the moment it is queued", async () => {
    const { org, api, agent, host } = await setup();
    const waiting = claim(host, agent.id, "run-1", 10);
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const task = await api.tasks.create({ orgSlug: org.slug, agentId: agent.id, prompt: "now" });
    expect((await waiting)?.id).toBe(task.id);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("cancel: a queued task at once, a running one through its agent", async () => {
    const { org, api, agent, host } = await setup();
    const running = await api.tasks.create({
      orgSlug: org.slug,
      agentId: agent.id,
      prompt: "long",
    });
    const queued = await api.tasks.create({
      orgSlug: org.slug,
      agentId: agent.id,
      prompt: "later",
    });
    await claim(host, agent.id);
    expect((await api.tasks.cancel({ orgSlug: org.slug, taskId: queued.id })).status).toBe(
      "CANCELLED",
    );
    const control = taskControl(db, host, {
      agentId: agent.id,
      taskId: running.id,
      waitSeconds: 10,
    });
    await api.tasks.cancel({ orgSlug: org.slug, taskId: running.id });
    expect(await control).toEqual({ cancel: true });
    const answer = await appendTaskEvents(db, host, {
      agentId: agent.id,
      taskId: running.id,
      events: [{ seq: 1, type: "text", text: "stopping" }],
    });
    expect(answer).toEqual({ cancel: true });
    await appendTaskEvents(db, host, {
      agentId: agent.id,
      taskId: running.id,
      events: [{ seq: 2, type: "error", message: "cancelled", cancelled: true }],
    });
    expect((await api.tasks.get({ orgSlug: org.slug, taskId: running.id })).status).toBe(
      "CANCELLED",
    );
    await expect(api.tasks.cancel({ orgSlug: org.slug, taskId: running.id })).rejects.toMatchObject(
      { code: "CONFLICT" },
    );
  });

  it("fail a task whose agent process died mid-task, and never hand it out twice", async () => {
    const { org, api, agent, host } = await setup();
    const task = await api.tasks.create({ orgSlug: org.slug, agentId: agent.id, prompt: "crashy" });
    await claim(host, agent.id, "run-1");
    // The same process asking again (a worker restart in between) gets nothing new.
    expect(await claim(host, agent.id, "run-1")).toBeNull();
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe("RUNNING");
    // A new process of the agent asking for work: the old one died with the task.
    expect(await claim(host, agent.id, "run-2")).toBeNull();
    const failed = await api.tasks.get({ orgSlug: org.slug, taskId: task.id });
    expect(failed).toMatchObject({
      status: "FAILED",
      reason: expect.stringMatching(/replaced mid-task/),
    });
    await expect(
      appendTaskEvents(db, host, {
        agentId: agent.id,
        taskId: task.id,
        events: [{ seq: 1, type: "result", text: "late" }],
      }),
    ).rejects.toBeInstanceOf(TaskRelayError);
  });

  it("fail running tasks when the worker reports the agent crashed, saying why", async () => {
    const { org, api, agent, host } = await setup();
    await applyReport(db, host, {
      sandboxes: [],
      agents: [{ agentId: agent.id, generation: 1, state: "RUNNING", restartCount: 0 }],
      logs: [],
      stats: [],
    });
    const task = await api.tasks.create({ orgSlug: org.slug, agentId: agent.id, prompt: "x" });
    await claim(host, agent.id);
    await applyReport(db, host, {
      sandboxes: [],
      agents: [
        {
          agentId: agent.id,
          generation: 1,
          state: "CRASH_LOOPING",
          reason: "exited with code 137 (out of memory)",
          restartCount: 1,
        },
      ],
      logs: [],
      stats: [],
    });
    expect(await api.tasks.get({ orgSlug: org.slug, taskId: task.id })).toMatchObject({
      status: "FAILED",
      reason: expect.stringMatching(/crashed and was restarted mid-task: exited with code 137/),
    });
  });

  it("time out, and fail tasks given to a stopped agent when its settings say so", async () => {
    const { org, api, agent, host } = await setup();
    const slow = await api.tasks.create({
      orgSlug: org.slug,
      agentId: agent.id,
      prompt: "slow",
      timeoutSeconds: 10,
    });
    await claim(host, agent.id);
    await db.task.update({
      where: { id: slow.id },
      data: { startedAt: new Date(Date.now() - 11_000) },
    });
    await sweepTasks(db);
    expect(await api.tasks.get({ orgSlug: org.slug, taskId: slow.id })).toMatchObject({
      status: "TIMED_OUT",
      reason: "ran longer than its 10 s timeout",
    });
    expect(
      await taskControl(db, host, { agentId: agent.id, taskId: slow.id, waitSeconds: 0 }),
    ).toEqual({ cancel: true });

    await api.agents.command({ orgSlug: org.slug, agentId: agent.id, command: "stop" });
    const waits = await api.tasks.create({ orgSlug: org.slug, agentId: agent.id, prompt: "waits" });
    await sweepTasks(db);
    expect((await api.tasks.get({ orgSlug: org.slug, taskId: waits.id })).status).toBe("QUEUED");
    await api.tasks.settings({ orgSlug: org.slug, agentId: agent.id, whenStopped: "FAIL" });
    const refused = await api.tasks.create({
      orgSlug: org.slug,
      agentId: agent.id,
      prompt: "refused",
    });
    expect(refused).toMatchObject({
      status: "FAILED",
      reason: expect.stringMatching(/is stopped/),
    });
    await sweepTasks(db);
    expect((await api.tasks.get({ orgSlug: org.slug, taskId: waits.id })).status).toBe("FAILED");
  });

  it("belong to their organisation: no other host, agent or role reaches them", async () => {
    const { org, api, viewerApi, agent, host } = await setup();
    const other = await setup();
    const task = await api.tasks.create({ orgSlug: org.slug, agentId: agent.id, prompt: "mine" });
    await expect(claim(other.host, agent.id)).rejects.toMatchObject({ status: 404 });
    await expect(claim(host, other.agent.id)).rejects.toMatchObject({ status: 404 });
    await claim(host, agent.id);
    await expect(
      appendTaskEvents(db, other.host, {
        agentId: other.agent.id,
        taskId: task.id,
        events: [{ seq: 1, type: "result", text: "x" }],
      }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      other.api.tasks.get({ orgSlug: other.org.slug, taskId: task.id }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await viewerApi.tasks.list({ orgSlug: org.slug })).toHaveLength(1);
    await expect(
      viewerApi.tasks.create({ orgSlug: org.slug, agentId: agent.id, prompt: "no" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("task retention", () => {
  it("drops finished tasks, transcripts included, past the organisation's window", async () => {
    const { org, api, agent, host } = await setup();
    const old = await api.tasks.create({ orgSlug: org.slug, agentId: agent.id, prompt: "old" });
    await claim(host, agent.id);
    await appendTaskEvents(db, host, {
      agentId: agent.id,
      taskId: old.id,
      events: [{ seq: 1, type: "result", text: "ok" }],
    });
    const fresh = await api.tasks.create({ orgSlug: org.slug, agentId: agent.id, prompt: "fresh" });
    await db.task.update({
      where: { id: old.id },
      data: { finishedAt: new Date(Date.now() - 8 * 86_400_000) },
    });
    expect(await purgeFinishedTasks(db, { id: org.id, auditRetentionDays: 7 })).toBe(1);
    expect(await db.taskEvent.count({ where: { taskId: old.id } })).toBe(0);
    expect(await db.task.findUnique({ where: { id: fresh.id } })).not.toBeNull();
  });
});

describe("schedules", () => {
  it("validate cron as the scheduler reads it, show the next runs, and start tasks as the schedule", async () => {
    const { org, api, agent } = await setup();
    await expect(
      api.schedules.create({
        orgSlug: org.slug,
        agentId: agent.id,
        name: "bad",
        cron: "every day",
        prompt: "x",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const schedule = await api.schedules.create({
      orgSlug: org.slug,
      agentId: agent.id,
      name: "nightly",
      cron: "0 3 * * *",
      timezone: "Europe/Berlin",
      prompt: "tidy up",
    });
    const [listed] = await api.schedules.list({ orgSlug: org.slug });
    expect(listed?.nextRuns).toHaveLength(5);
    expect(listed?.nextRuns[0]?.toISOString()).toMatch(/T0[12]:00:00/); // 03:00 Berlin is 01:00 or 02:00 UTC
    const task = await fireSchedule(db, schedule.id);
    expect(task).toMatchObject({
      startedByType: "SYSTEM",
      startedByName: "schedule nightly",
      scheduleId: schedule.id,
      prompt: "tidy up",
    });
    await api.schedules.update({ orgSlug: org.slug, scheduleId: schedule.id, paused: true });
    expect((await api.schedules.list({ orgSlug: org.slug }))[0]?.nextRuns).toEqual([]);
  });
});
