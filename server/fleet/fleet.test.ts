import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { desiredStateOf, enrolTestHost, hostReport } from "../../test/fleet.ts";
import { createCaller } from "../root-router.ts";
import { reconcileFleet } from "./controller.ts";
import { applyReport } from "./report.ts";
import { desired as desiredHandler } from "./worker-api.ts";

const db = connectTestDb();
const tag = () => randomBytes(4).toString("hex");

/** An organisation whose sandbox may only go to hosts labelled `pool`, with an admin. */
async function setup(pool: string, quota = { cpuQuotaMillis: 2000, memoryQuotaMb: 2048 }) {
  const admin = await makeUser(db);
  const org = await makeOrg(db, [{ userId: admin.id, role: "ADMIN" }]);
  await db.organization.update({
    where: { id: org.id },
    data: { placementLabels: { pool }, ...quota },
  });
  return { org, admin, api: createCaller(contextFor(db, admin)).agents };
}
const spec = { image: "corral/agent-base:latest", cpuMillis: 500, memoryMb: 256, workspaceMb: 256 };

describe("agents and placement", () => {
  it("gives an organisation's first agent a sandbox on a host with its labels, and wakes that host", async () => {
    const pool = tag();
    await enrolTestHost(db, `other-${pool}`, { labels: { pool: "elsewhere" } });
    const { hostId } = await enrolTestHost(db, `host-${pool}`, { labels: { pool } });
    const before = (await db.workerHost.findUniqueOrThrow({ where: { id: hostId } }))
      .desiredVersion;
    const { org, api } = await setup(pool);
    const agent = await api.create({ orgSlug: org.slug, name: "scout", ...spec, start: true });
    const sandbox = await db.sandbox.findUniqueOrThrow({ where: { orgId: org.id } });
    expect(sandbox.hostId).toBe(hostId);
    const state = await desiredStateOf(db, hostId, org.id);
    expect(state.version).toBeGreaterThan(before);
    expect(state.sandboxes).toEqual([
      expect.objectContaining({
        tenantId: org.id,
        agents: [
          expect.objectContaining({ agentId: agent.id, desiredState: "RUNNING", generation: 1 }),
        ],
      }),
    ]);
    expect(await db.auditEvent.count({ where: { chain: org.id, action: "sandbox.placed" } })).toBe(
      1,
    );
  });

  it("reserves on a host what agents request, not the organisation's whole quota", async () => {
    const pool = tag();
    const small = { cpus: 2, memoryMb: 2048 };
    const { hostId } = await enrolTestHost(db, `small-${pool}`, {
      labels: { pool },
      engine: { ...hostReport("x").engine, cpus: 2, memoryBytes: 2048 * 1024 * 1024 },
      driver: { name: "engine-container", healthy: true, capacity: small },
    });
    // Three idle tenants with quotas far above the host: each holds only its agent (256 MiB)
    // plus its engine's share (256 MiB), so all three fit where one quota would not.
    const big = { cpuQuotaMillis: 16_000, memoryQuotaMb: 32_768 };
    const tenants = [await setup(pool, big), await setup(pool, big), await setup(pool, big)];
    for (const [i, t] of tenants.entries())
      await t.api.create({ orgSlug: t.org.slug, name: `idle${i}`, ...spec });
    const placed = await db.sandbox.findMany({
      where: { orgId: { in: tenants.map((t) => t.org.id) } },
    });
    expect(placed.map((s) => s.hostId)).toEqual([hostId, hostId, hostId]);
    // 3 × 512 MiB held; a fourth 512 MiB agent would pass 2048 MiB: refused, nothing kept.
    const first = tenants[0];
    if (!first) throw new Error("no tenant");
    await expect(
      first.api.create({ orgSlug: first.org.slug, name: "greedy", ...spec, memoryMb: 600 }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/no memory left/) });
    expect(await db.agent.count({ where: { orgId: first.org.id } })).toBe(1);
    const [agent] = (await first.api.list({ orgSlug: first.org.slug })).agents;
    await expect(
      first.api.update({ orgSlug: first.org.slug, agentId: agent?.id ?? "", memoryMb: 900 }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
    await first.api.create({ orgSlug: first.org.slug, name: "modest", ...spec, memoryMb: 400 });
  });

  it("checks quotas in the same transaction, even when requests race", async () => {
    const pool = tag();
    await enrolTestHost(db, `host-${pool}`, { labels: { pool } });
    const { org, api } = await setup(pool, { cpuQuotaMillis: 1000, memoryQuotaMb: 4096 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        api.create({ orgSlug: org.slug, name: `a${i}`, ...spec }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const refusal = results.find((r) => r.status === "rejected");
    expect(refusal?.status === "rejected" && refusal.reason.message).toMatch(
      /would use 1\.5 CPUs of your organisation's 1/,
    );
  });

  it("refuses secret-looking environment variables and bad names clearly", async () => {
    const { org, api } = await setup(tag());
    await expect(
      api.create({ orgSlug: org.slug, name: "leaky", ...spec, env: { OPENAI_API_KEY: "sk-…" } }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/looks like a secret/),
    });
    await expect(
      api.create({ orgSlug: org.slug, name: "Bad Name", ...spec }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("takes observed state from the host that holds the sandbox only, with history and audit", async () => {
    const pool = tag();
    const { hostId } = await enrolTestHost(db, `host-${pool}`, { labels: { pool } });
    const stranger = await enrolTestHost(db, `stranger-${pool}`, { labels: { pool: "x" } });
    const { org, api } = await setup(pool);
    const agent = await api.create({ orgSlug: org.slug, name: "scout", ...spec, start: true });
    const host = await db.workerHost.findUniqueOrThrow({ where: { id: hostId } });
    const strangerHost = await db.workerHost.findUniqueOrThrow({ where: { id: stranger.hostId } });
    const running = {
      sandboxes: [{ tenantId: org.id, state: "READY" as const }],
      agents: [{ agentId: agent.id, generation: 1, state: "RUNNING" as const, restartCount: 0 }],
      logs: [
        {
          agentId: agent.id,
          lines: [{ at: new Date().toISOString(), stream: "stdout" as const, text: "hello" }],
        },
      ],
      stats: [],
    };
    expect(await applyReport(db, strangerHost, running)).toEqual({ ignored: 2 });
    expect((await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).observedState).toBe(
      "PENDING",
    );

    expect(await applyReport(db, host, running)).toEqual({ ignored: 0 });
    expect(await db.agent.findUniqueOrThrow({ where: { id: agent.id } })).toMatchObject({
      observedState: "RUNNING",
      observedGeneration: 1,
    });
    expect((await api.logs({ orgSlug: org.slug, agentId: agent.id })).map((l) => l.text)).toEqual([
      "hello",
    ]);
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { chain: org.id, action: "agent.state_changed" },
    });
    expect(audit).toMatchObject({ actorType: "WORKER", actorId: hostId, targetId: agent.id });
    expect(audit.metadata).toMatchObject({ from: "PENDING", to: "RUNNING" });
  });

  it("re-places sandboxes of a host that stopped heartbeating, and of a draining one", async () => {
    const pool = tag();
    const first = await enrolTestHost(db, `first-${pool}`, { labels: { pool } });
    const { org, api } = await setup(pool);
    await api.create({ orgSlug: org.slug, name: "scout", ...spec, start: true });
    expect((await db.sandbox.findUniqueOrThrow({ where: { orgId: org.id } })).hostId).toBe(
      first.hostId,
    );

    const second = await enrolTestHost(db, `second-${pool}`, { labels: { pool } });
    await db.workerHost.update({
      where: { id: first.hostId },
      data: { lastHeartbeatAt: new Date(Date.now() - 60_000) },
    });
    const { lost } = await reconcileFleet(db, { deadlineSeconds: 20 });
    expect(lost).toContain(`first-${pool}`);
    expect((await db.sandbox.findUniqueOrThrow({ where: { orgId: org.id } })).hostId).toBe(
      second.hostId,
    );
    expect((await desiredStateOf(db, first.hostId, org.id)).sandboxes).toEqual([]);

    // Draining the second host: the first is back (it heartbeats again) and takes over.
    await db.workerHost.update({
      where: { id: first.hostId },
      data: { lastHeartbeatAt: new Date(), lostAt: null },
    });
    const operator = await makeUser(db);
    await db.user.update({ where: { id: operator.id }, data: { isOperator: true } });
    await createCaller(contextFor(db, operator)).fleet.setHostState({
      hostId: second.hostId,
      state: "drain",
    });
    expect((await db.sandbox.findUniqueOrThrow({ where: { orgId: org.id } })).hostId).toBe(
      first.hostId,
    );
  });

  it("stops a deleted organisation's agents: its host is woken and no longer runs them", async () => {
    const pool = tag();
    const { hostId } = await enrolTestHost(db, `host-${pool}`, { labels: { pool } });
    const owner = await makeUser(db);
    const org = await makeOrg(db, [{ userId: owner.id, role: "OWNER" }]);
    await db.organization.update({ where: { id: org.id }, data: { placementLabels: { pool } } });
    const caller = createCaller(contextFor(db, owner));
    await caller.agents.create({ orgSlug: org.slug, name: "doomed", ...spec, start: true });
    const before = await desiredStateOf(db, hostId, org.id);
    expect(before.sandboxes).toHaveLength(1);
    await caller.organizations.delete({ orgSlug: org.slug, confirmName: org.name });
    const after = await desiredStateOf(db, hostId, org.id);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.sandboxes).toEqual([]);
    expect(await db.agent.count({ where: { orgId: org.id } })).toBe(0);
  });

  it("refuses a report with a malformed time instead of failing the whole report", async () => {
    const { reportRequestSchema } = await import("../../common/worker-protocol.ts");
    const bad = reportRequestSchema.safeParse({
      logs: [{ agentId: "a", lines: [{ at: "yesterday", stream: "stdout", text: "x" }] }],
    });
    expect(bad.success).toBe(false);
  });

  it("pushes the agents page again when an agent changes", async () => {
    const { org, api } = await setup(tag());
    const stream = await api.watch({ orgSlug: org.slug });
    const updates = stream[Symbol.asyncIterator]();
    expect((await updates.next()).value?.agents).toEqual([]);
    await api.create({ orgSlug: org.slug, name: "pushed", ...spec });
    expect((await updates.next()).value?.agents.map((a: { name: string }) => a.name)).toEqual([
      "pushed",
    ]);
    await updates.return?.();
  });

  it("lets only operators see and change the fleet", async () => {
    const { admin } = await setup(tag());
    await expect(createCaller(contextFor(db, admin)).fleet.hosts()).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
  });

  it("answers a worker's long-poll as soon as its desired state changes", async () => {
    const pool = tag();
    const { credential, hostId } = await enrolTestHost(db, `poll-${pool}`, { labels: { pool } });
    const { org, api } = await setup(pool);
    const version = (await db.workerHost.findUniqueOrThrow({ where: { id: hostId } }))
      .desiredVersion;
    const ask = (after: number, wait: number) =>
      desiredHandler(
        new Request(`http://x/api/worker/v1/desired?after=${after}&wait=${wait}`, {
          headers: { authorization: `Bearer ${credential}` },
        }),
      );
    expect((await ask(version, 1)).status).toBe(304);
    const started = Date.now();
    const pending = ask(version, 10);
    setTimeout(() => api.create({ orgSlug: org.slug, name: "late", ...spec, start: true }), 300);
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await reply.json()).sandboxes[0].agents[0].name).toBe("late");
  });
});
