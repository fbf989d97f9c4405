// Disk use reported by a worker, through the worker API, up to what the agent and fleet pages
// read: only the host holding the sandbox may speak for it.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { enrolTestHost } from "../../test/fleet.ts";
import { createCaller } from "../root-router.ts";
import { report } from "./worker-api.ts";

const db = connectTestDb();
const tag = () => randomBytes(4).toString("hex");
const MiB = 1024 * 1024;

const post = (credential: string, body: unknown) =>
  report(
    new Request("http://localhost/api/worker/v1/report", {
      method: "POST",
      headers: { authorization: `Bearer ${credential}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  );

describe("disk use reports", () => {
  it("a sandbox's storage and an agent's workspace, as its host measured them, reach the pages; another host's word is ignored", async () => {
    const pool = tag();
    const holder = await enrolTestHost(db, `disk-${pool}`, { labels: { pool } });
    const stranger = await enrolTestHost(db, `stranger-${pool}`, { labels: { pool: "x" } });
    const admin = await makeUser(db);
    const org = await makeOrg(db, [{ userId: admin.id, role: "ADMIN" }]);
    await db.organization.update({ where: { id: org.id }, data: { placementLabels: { pool } } });
    const caller = createCaller(contextFor(db, admin));
    const agent = await caller.agents.create({
      orgSlug: org.slug,
      name: "filler",
      image: "corral/agent-base:latest",
      cpuMillis: 500,
      memoryMb: 256,
      workspaceMb: 256,
      start: true,
    });
    expect((await db.sandbox.findUniqueOrThrow({ where: { orgId: org.id } })).hostId).toBe(
      holder.hostId,
    );
    const before = await caller.agents.get({ orgSlug: org.slug, agentId: agent.id });
    expect(before?.workspaceUsedBytes).toBeNull();

    const disk = {
      sandboxes: [{ tenantId: org.id, usedBytes: 300 * MiB, sizeBytes: 9800 * MiB }],
      workspaces: [{ agentId: agent.id, usedBytes: 200 * MiB, sizeBytes: 240 * MiB }],
    };
    const refused = await post(stranger.credential, { disk });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({ ignored: 2 });
    expect(
      (await db.sandbox.findUniqueOrThrow({ where: { orgId: org.id } })).storageUsedBytes,
    ).toBe(null);

    const accepted = await post(holder.credential, { disk });
    expect(await accepted.json()).toEqual({ ignored: 0 });
    const after = await caller.agents.get({ orgSlug: org.slug, agentId: agent.id });
    expect(after).toMatchObject({
      workspaceUsedBytes: BigInt(200 * MiB),
      workspaceSizeBytes: BigInt(240 * MiB),
    });
    expect(after?.workspaceMeasuredAt).toBeInstanceOf(Date);

    const operator = await makeUser(db);
    await db.user.update({ where: { id: operator.id }, data: { isOperator: true } });
    const hosts = await createCaller(contextFor(db, operator)).fleet.hosts();
    const sandbox = hosts
      .find((h) => h.id === holder.hostId)
      ?.sandboxes.find((s) => s.slug === org.slug);
    expect(sandbox?.storage).toMatchObject({ usedBytes: 300 * MiB, sizeBytes: 9800 * MiB });

    // Out-of-range figures are refused whole, not stored.
    const bad = await post(holder.credential, {
      disk: { sandboxes: [{ tenantId: org.id, usedBytes: -1, sizeBytes: 1 }] },
    });
    expect(bad.status).toBe(400);
  });
});
