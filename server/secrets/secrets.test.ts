// Secrets and egress through the API as each role meets them, what reaches the worker that
// holds the sandbox (and no other), and what a worker's gateway report writes down.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { desiredStateOf, enrolTestHost } from "../../test/fleet.ts";
import { desiredStateFor } from "../fleet/desired.ts";
import { applyReport } from "../fleet/report.ts";
import { createCaller } from "../root-router.ts";

const db = connectTestDb();
const tag = () => randomBytes(4).toString("hex");
const value = `sk-ant-api03-${randomBytes(20).toString("hex")}`;
const spec = { image: "corral/agent-base:latest", cpuMillis: 500, memoryMb: 256, workspaceMb: 256 };

/** An organisation placed on its own host, with an owner, a member and an agent. */
async function setup() {
  const pool = tag();
  const { hostId } = await enrolTestHost(db, `host-${pool}`, { labels: { pool } });
  const owner = await makeUser(db);
  const member = await makeUser(db);
  const org = await makeOrg(db, [
    { userId: owner.id, role: "OWNER" },
    { userId: member.id, role: "MEMBER" },
  ]);
  await db.organization.update({ where: { id: org.id }, data: { placementLabels: { pool } } });
  const api = createCaller(contextFor(db, owner));
  const agent = await api.agents.create({ orgSlug: org.slug, name: "coder", ...spec, start: true });
  const host = await db.workerHost.findUniqueOrThrow({ where: { id: hostId } });
  return { org, owner, member, api, memberApi: createCaller(contextFor(db, member)), agent, host };
}

describe("secrets", () => {
  it("are write-only: no answer, audit event or column holds the value", async () => {
    const { org, api } = await setup();
    const created = await api.secrets.create({ orgSlug: org.slug, name: "ANTHROPIC", value });
    expect(JSON.stringify(created)).not.toContain(value);
    const listed = await api.secrets.list({ orgSlug: org.slug });
    expect(listed).toEqual([expect.objectContaining({ name: "ANTHROPIC", version: 1 })]);
    expect(JSON.stringify(listed)).not.toContain(value);
    const row = await db.secret.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.valueSealed).not.toContain(value);
    await api.secrets.rotate({ orgSlug: org.slug, secretId: created.id, value: `${value}-2` });
    const events = await db.auditEvent.findMany({
      where: { chain: org.id, action: { startsWith: "secret." } },
      orderBy: { seq: "asc" },
    });
    expect(events.map((e) => e.action)).toEqual(["secret.created", "secret.rotated"]);
    expect(JSON.stringify(events)).not.toContain(value.slice(0, 20));
    expect(events[1]?.metadata).toEqual({ fromVersion: 1, toVersion: 2 });
  });

  it("can be read by members (names and grants) and managed only by admins", async () => {
    const { org, api, memberApi } = await setup();
    await api.secrets.create({ orgSlug: org.slug, name: "GITHUB", value: "ghp_x" });
    expect(await memberApi.secrets.list({ orgSlug: org.slug })).toHaveLength(1);
    await expect(
      memberApi.secrets.create({ orgSlug: org.slug, name: "MINE", value: "v" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      memberApi.egress.setPolicy({ orgSlug: org.slug, agentId: "x", preset: "CUSTOM", rules: [] }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("reach the worker holding the sandbox decrypted, rotate without a restart, and go with their deletion", async () => {
    const { org, api, agent, host } = await setup();
    const other = await enrolTestHost(db, `other-${tag()}`);
    const secret = await api.secrets.create({ orgSlug: org.slug, name: "ANTHROPIC", value });
    await api.secrets.grant({
      orgSlug: org.slug,
      secretId: secret.id,
      agentId: agent.id,
      hosts: ["api.anthropic.com"],
      headerName: "x-api-key",
      placeholderEnv: "ANTHROPIC_API_KEY",
    });
    await api.egress.setPolicy({
      orgSlug: org.slug,
      agentId: agent.id,
      preset: "MODEL_PROVIDER",
      rules: [],
    });
    const before = await desiredStateOf(db, host.id, org.id);
    const desiredAgent = before.sandboxes[0]?.agents[0];
    expect(desiredAgent?.egress).toEqual({
      preset: "MODEL_PROVIDER",
      rules: [],
      quarantined: false,
    });
    expect(desiredAgent?.grants).toEqual([
      expect.objectContaining({
        value,
        version: 1,
        hosts: ["api.anthropic.com"],
        headerTemplate: "{value}",
      }),
    ]);
    // The whole of the other host's state: no tenant's grant there carries the value.
    expect(JSON.stringify(await desiredStateFor(db, other.hostId))).not.toContain(value);

    await api.secrets.rotate({ orgSlug: org.slug, secretId: secret.id, value: "rotated-value" });
    const after = await desiredStateOf(db, host.id, org.id);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.sandboxes[0]?.agents[0]).toMatchObject({
      generation: desiredAgent?.generation,
      grants: [expect.objectContaining({ value: "rotated-value", version: 2 })],
    });

    await expect(
      api.secrets.delete({ orgSlug: org.slug, secretId: secret.id, confirmName: "wrong" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await api.secrets.delete({ orgSlug: org.slug, secretId: secret.id, confirmName: "ANTHROPIC" });
    expect(await db.secretGrant.count({ where: { orgId: org.id } })).toBe(0);
    expect((await desiredStateOf(db, host.id, org.id)).sandboxes[0]?.agents[0]?.grants).toEqual([]);
  });

  it("refuse credential-looking values in an agent's plain environment, pointing to Secrets", async () => {
    const { org, api } = await setup();
    await expect(
      api.agents.create({
        orgSlug: org.slug,
        name: "leaky",
        ...spec,
        env: { MODEL: "x", NOTES: value },
      }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/under Secrets/),
    });
  });
});

describe("quarantine", () => {
  it("stops the agent, suspends its grants and refuses starts until an admin releases it", async () => {
    const { org, api, memberApi, agent, host } = await setup();
    const secret = await api.secrets.create({ orgSlug: org.slug, name: "K", value });
    await api.secrets.grant({
      orgSlug: org.slug,
      secretId: secret.id,
      agentId: agent.id,
      hosts: ["a.example.com"],
      headerName: "authorization",
      headerTemplate: "Bearer {value}",
    });
    await memberApi.egress.quarantine({
      orgSlug: org.slug,
      agentId: agent.id,
      reason: "odd traffic",
    });
    const held = (await desiredStateOf(db, host.id, org.id)).sandboxes[0]?.agents[0];
    expect(held).toMatchObject({
      desiredState: "STOPPED",
      grants: [],
      egress: { quarantined: true },
    });
    await expect(
      api.agents.command({ orgSlug: org.slug, agentId: agent.id, command: "start" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
    });
    await expect(
      memberApi.egress.release({ orgSlug: org.slug, agentId: agent.id }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await api.egress.release({ orgSlug: org.slug, agentId: agent.id });
    const back = (await desiredStateOf(db, host.id, org.id)).sandboxes[0]?.agents[0];
    expect(back).toMatchObject({
      desiredState: "RUNNING",
      generation: 2,
      egress: { quarantined: false },
    });
    expect(back?.grants).toHaveLength(1);
    const actions = (
      await db.auditEvent.findMany({ where: { chain: org.id }, orderBy: { seq: "asc" } })
    ).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["agent.quarantined", "agent.released"]));
  });
});

describe("gateway reports", () => {
  it("audit each denial, sum allowed traffic per minute, and fill the ledger, for the host's own tenants only", async () => {
    const { org, api, agent, host } = await setup();
    const outsider = await setup();
    const secret = await api.secrets.create({ orgSlug: org.slug, name: "K", value });
    const foreignSecret = await outsider.api.secrets.create({
      orgSlug: outsider.org.slug,
      name: "THEIRS",
      value: "v",
    });
    const at = new Date().toISOString();
    const use = {
      agentId: agent.id,
      version: 1,
      at,
      host: "api.example.com",
      method: "POST",
      path: "/v1/messages",
      status: 200,
      bytes: 512,
    };
    await applyReport(db, host, {
      sandboxes: [],
      agents: [],
      logs: [],
      stats: [],
      egress: {
        decisions: [
          {
            agentId: agent.id,
            at,
            allowed: false,
            host: "evil.example",
            port: 443,
            method: "CONNECT",
            path: "",
            reason: "no rule allows evil.example:443",
          },
          {
            agentId: outsider.agent.id,
            at,
            allowed: false,
            host: "x",
            port: 443,
            method: "CONNECT",
            path: "",
            reason: "not this host's",
          },
        ],
        uses: [
          { ...use, secretId: secret.id },
          { ...use, secretId: foreignSecret.id },
        ],
        allowed: [
          { agentId: agent.id, host: "api.example.com", minute: at, requests: 42, bytes: 9000 },
        ],
      },
    });
    const events = await db.auditEvent.findMany({
      where: { chain: org.id, action: { startsWith: "egress." } },
    });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: "egress.denied",
          outcome: "DENIED",
          actorType: "AGENT",
          targetName: "evil.example",
        }),
        expect.objectContaining({
          action: "egress.allowed",
          metadata: expect.objectContaining({ requests: 42 }),
        }),
      ]),
    );
    expect(
      await db.auditEvent.count({ where: { chain: outsider.org.id, action: "egress.denied" } }),
    ).toBe(0);
    const ledger = await api.secrets.uses({ orgSlug: org.slug });
    expect(ledger).toEqual([
      expect.objectContaining({ secretName: "K", agentName: "coder", status: 200, bytes: 512 }),
    ]);
    expect(await db.secretUse.count({ where: { secretId: foreignSecret.id } })).toBe(0);
    expect(
      (await db.secret.findUniqueOrThrow({ where: { id: secret.id } })).lastUsedAt,
    ).not.toBeNull();
  });
});
