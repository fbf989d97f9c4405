import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { desiredStateOf, enrolTestHost } from "../../test/fleet.ts";
import { createCaller } from "../root-router.ts";

const db = connectTestDb();
const tag = () => randomBytes(4).toString("hex");
const spec = { image: "corral/agent-base:latest", cpuMillis: 500, memoryMb: 256, workspaceMb: 256 };

/** An organisation with an owner and an admin, placed only on hosts labelled `pool`. */
async function setup(pool: string) {
  const owner = await makeUser(db);
  const admin = await makeUser(db);
  const org = await makeOrg(db, [
    { userId: owner.id, role: "OWNER" },
    { userId: admin.id, role: "ADMIN" },
  ]);
  await db.organization.update({ where: { id: org.id }, data: { placementLabels: { pool } } });
  return {
    org,
    owner: createCaller(contextFor(db, owner)),
    admin: createCaller(contextFor(db, admin)),
  };
}
const sandboxOf = (orgId: string) => db.sandbox.findUniqueOrThrow({ where: { orgId } });
const microvmLabels = (pool: string) => ({ pool, microvm: "true", container: "false" });

describe("isolation as a choice", () => {
  it("without a choice, a sandbox goes to a host offering microVMs and the worker is told so", async () => {
    const pool = tag();
    await enrolTestHost(db, `plain-${pool}`, { labels: { pool } });
    const vm = await enrolTestHost(db, `vm-${pool}`, { labels: microvmLabels(pool) });
    const { org, owner } = await setup(pool);
    const agent = await owner.agents.create({ orgSlug: org.slug, name: "scout", ...spec });
    expect(await sandboxOf(org.id)).toMatchObject({ hostId: vm.hostId, isolation: "MICROVM" });
    // The agent's page says which wall it runs behind.
    expect(await owner.agents.get({ orgSlug: org.slug, agentId: agent.id })).toMatchObject({
      isolation: "MICROVM",
    });
    // Other files' sandboxes without a choice may land on this microVM host too.
    const { sandboxes } = await desiredStateOf(db, vm.hostId, org.id);
    expect(sandboxes.find((s) => s.tenantId === org.id)).toMatchObject({ isolation: "microvm" });
  });

  it("an owner's change is audited and moves the sandbox to a host of that wall", async () => {
    const pool = tag();
    const plain = await enrolTestHost(db, `plain-${pool}`, { labels: { pool } });
    const vm = await enrolTestHost(db, `vm-${pool}`, { labels: microvmLabels(pool) });
    const { org, owner } = await setup(pool);
    await owner.organizations.setIsolation({ orgSlug: org.slug, isolation: "CONTAINER" });
    await owner.agents.create({ orgSlug: org.slug, name: "scout", ...spec });
    expect(await sandboxOf(org.id)).toMatchObject({
      hostId: plain.hostId,
      isolation: "CONTAINER",
    });

    await owner.organizations.setIsolation({ orgSlug: org.slug, isolation: "MICROVM" });
    expect(await sandboxOf(org.id)).toMatchObject({ hostId: vm.hostId, isolation: "MICROVM" });
    expect((await desiredStateOf(db, plain.hostId, org.id)).sandboxes).toEqual([]);
    const events = await db.auditEvent.findMany({
      where: { chain: org.id, action: "org.isolation_changed" },
      orderBy: { seq: "asc" },
    });
    expect(events.map((e) => e.metadata)).toEqual([
      {
        before: { isolation: "AUTO", locked: false },
        after: { isolation: "CONTAINER", locked: false },
      },
      {
        before: { isolation: "CONTAINER", locked: false },
        after: { isolation: "MICROVM", locked: false },
      },
    ]);
    const settings = await owner.organizations.settings({ orgSlug: org.slug });
    expect(settings.isolation).toMatchObject({
      chosen: "MICROVM",
      locked: false,
      sandbox: { isolation: "MICROVM" },
      fleetOffers: { microvm: true, container: true },
    });
  });

  it("with no host offering microVMs, the sandbox waits and says why", async () => {
    const pool = tag();
    await enrolTestHost(db, `plain-${pool}`, { labels: { pool } });
    const { org, owner } = await setup(pool);
    await owner.agents.create({ orgSlug: org.slug, name: "scout", ...spec });
    await owner.organizations.setIsolation({ orgSlug: org.slug, isolation: "MICROVM" });
    const sandbox = await sandboxOf(org.id);
    expect(sandbox.hostId).toBeNull();
    expect(sandbox.isolation).toBeNull();
    expect(sandbox.reason).toMatch(/^waiting: no host offers microVM isolation \(microvm=true\)/);
  });

  it("only an owner chooses, in words; an invalid level is refused by field", async () => {
    const { org, admin, owner } = await setup(tag());
    await expect(
      admin.organizations.setIsolation({ orgSlug: org.slug, isolation: "MICROVM" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      // @ts-expect-error: not an isolation level
      owner.organizations.setIsolation({ orgSlug: org.slug, isolation: "VM" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/isolation/) });
    expect((await db.organization.findUniqueOrThrow({ where: { id: org.id } })).isolation).toBe(
      null,
    );
  });

  it("an operator sets and locks it; the owner is then refused, and non-operators cannot", async () => {
    const { org, owner } = await setup(tag());
    const operatorUser = await makeUser(db);
    await db.user.update({ where: { id: operatorUser.id }, data: { isOperator: true } });
    const operator = createCaller(contextFor(db, operatorUser));
    await expect(
      owner.fleet.setOrgIsolation({
        organization: org.slug,
        isolation: "CONTAINER",
        locked: false,
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    await operator.fleet.setOrgIsolation({
      organization: org.slug,
      isolation: "MICROVM",
      locked: true,
    });
    await expect(
      owner.organizations.setIsolation({ orgSlug: org.slug, isolation: "CONTAINER" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Your operator has fixed this organisation's isolation; ask them to change it.",
    });
    expect(await db.organization.findUniqueOrThrow({ where: { id: org.id } })).toMatchObject({
      isolation: "MICROVM",
      isolationLocked: true,
    });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { chain: org.id, action: "org.isolation_changed" },
    });
    expect(event).toMatchObject({
      actorName: operatorUser.email,
      metadata: { after: { isolation: "MICROVM", locked: true } },
    });
    await expect(
      operator.fleet.setOrgIsolation({
        organization: "no-such-org",
        isolation: null,
        locked: false,
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
