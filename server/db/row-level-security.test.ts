// The second wall: even a query that forgets `where: { orgId }` sees only its own tenant's
// rows, because PostgreSQL itself filters them for the application's role.
import pg from "pg";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { createCallerFactory, createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import { appRole } from "./app-role.ts";
import { scopedDb, withSystemScope } from "./tenant-scope.ts";

const db = connectTestDb();

async function makeAgent(orgId: string, name: string) {
  const agent = await db.agent.create({
    data: {
      orgId,
      name,
      image: "busybox",
      command: [],
      cpuMillis: 100,
      memoryMb: 64,
      workspaceMb: 10,
    },
  });
  await db.agentLogLine.create({
    data: { agentId: agent.id, at: new Date(), stream: "stdout", text: `hello from ${name}` },
  });
  return agent;
}

// A procedure written carelessly: it lists agents with no organisation filter at all.
const careless = createTRPCRouter({
  everyAgent: tenantProcedure("agent.read").query(({ ctx }) =>
    ctx.db.agent.findMany({ select: { name: true, orgId: true } }),
  ),
  everyLogLine: tenantProcedure("agent.read").query(
    ({ ctx }) => ctx.db.$queryRaw<{ text: string }[]>`SELECT text FROM "AgentLogLine" ORDER BY id`,
  ),
});

describe("row-level security", () => {
  let orgA: { id: string; slug: string };
  let orgB: { id: string; slug: string };
  let ownerOfA: Awaited<ReturnType<typeof makeUser>>;

  beforeAll(async () => {
    ownerOfA = await makeUser(db);
    orgA = await makeOrg(db, [{ userId: ownerOfA.id, role: "OWNER" }]);
    orgB = await makeOrg(db);
    await makeAgent(orgA.id, "mine");
    await makeAgent(orgB.id, "theirs");
  });

  it("connects as a role that neither owns the tables nor bypasses RLS", async () => {
    const [who] = await db.$queryRaw<{ role: string; bypass: boolean; super: boolean }[]>`
      SELECT current_user AS role, r.rolbypassrls AS bypass, r.rolsuper AS super
      FROM pg_roles r WHERE r.rolname = current_user`;
    expect(who).toEqual({ role: appRole, bypass: false, super: false });
    const owned = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user`;
    expect(Number(owned[0]?.n)).toBe(0);
  });

  it("turns RLS on for every table that names an organisation", async () => {
    const unprotected = await db.$queryRaw<{ table: string }[]>`
      SELECT c.relname AS table FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      WHERE c.relkind = 'r' AND NOT c.relrowsecurity
        AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'orgId')
             OR c.relname IN ('Organization', 'AgentEvent', 'AgentLogLine', 'AgentStatsSample',
                              'TaskInput', 'TaskEvent', 'AuditWebhookDelivery'))`;
    expect(unprotected).toEqual([]);
  });

  it("shows a tenant procedure's unfiltered query only its own organisation's rows", async () => {
    const caller = createCallerFactory(careless)(contextFor(db, ownerOfA));
    const agents = await caller.everyAgent({ orgSlug: orgA.slug });
    expect(agents).toEqual([{ name: "mine", orgId: orgA.id }]);
    const lines = await caller.everyLogLine({ orgSlug: orgA.slug });
    expect(lines.map((l) => l.text)).toEqual(["hello from mine"]);
    // The control: the same query at system scope sees both tenants.
    const all = await db.agent.findMany({ where: { name: { in: ["mine", "theirs"] } } });
    expect(all).toHaveLength(2);
  });

  it("refuses a scoped write into another organisation", async () => {
    const asA = scopedDb(db, orgA.id);
    await expect(
      asA.agent.create({
        data: {
          orgId: orgB.id,
          name: "planted",
          image: "busybox",
          command: [],
          cpuMillis: 100,
          memoryMb: 64,
          workspaceMb: 10,
        },
      }),
    ).rejects.toThrow(/row-level security/);
    const theirs = await db.agent.findFirstOrThrow({ where: { orgId: orgB.id } });
    expect(await asA.agent.updateMany({ where: { id: theirs.id }, data: { name: "x" } })).toEqual({
      count: 0,
    });
    expect(await asA.agent.deleteMany({})).toEqual({ count: 1 });
    expect(await db.agent.count({ where: { orgId: orgB.id } })).toBe(1);
  });

  it("widens the scope only inside withSystemScope, then narrows it back", async () => {
    const asB = scopedDb(db, orgB.id);
    const counts = await asB.$transaction(async (tx) => {
      const before = await tx.organization.count({ where: { id: { in: [orgA.id, orgB.id] } } });
      const during = await withSystemScope(tx, () =>
        tx.organization.count({ where: { id: { in: [orgA.id, orgB.id] } } }),
      );
      const after = await tx.organization.count({ where: { id: { in: [orgA.id, orgB.id] } } });
      return { before, during, after };
    });
    expect(counts).toEqual({ before: 1, during: 2, after: 1 });
  });

  it("shows a connection that never set a scope no tenant rows at all", async () => {
    const client = new pg.Client({
      connectionString: inject("databaseUrl"),
      options: `-c role=${appRole}`,
    });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM "Organization"`);
      expect(rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });
});
