import { beforeAll, describe, expect, it } from "vitest";
import { connectTestDb, connectTestPool, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { createCaller } from "../root-router.ts";
import { ExportsBusy, exportStream } from "./export.ts";
import type { AuditFilters } from "./filters.ts";
import { type AuditAction, recordAuditEvent } from "./record.ts";

const db = connectTestDb();
const pool = connectTestPool();
let orgSlug: string;
let orgId: string;
let admin: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  admin = await makeUser(db);
  const org = await makeOrg(db, [{ userId: admin.id, role: "ADMIN" }]);
  orgSlug = org.slug;
  orgId = org.id;
  const plan: [AuditAction, string, "SUCCESS" | "DENIED"][] = [
    ["member.invited", "alice", "SUCCESS"],
    ["member.joined", "bob", "SUCCESS"],
    ["api_key.created", "alice", "SUCCESS"],
    ["member.removed", "carol", "DENIED"],
    ["org.updated", '=HYPERLINK("http://evil")', "SUCCESS"],
  ];
  for (let round = 0; round < 3; round++) {
    for (const [action, name, outcome] of plan) {
      await db.$transaction((tx) =>
        recordAuditEvent(tx, {
          orgId,
          actor: { type: "USER", id: `id-${name}`, name },
          action,
          outcome,
          target: { type: "user", id: `t-${round}`, name: `target ${round}` },
          metadata: { round },
        }),
      );
    }
  }
});

const api = () => createCaller(contextFor(db, admin)).audit;

describe("audit viewer", () => {
  it("filters by action prefix, actor, outcome and free text", async () => {
    const byPrefix = await api().list({ orgSlug, filters: { action: "member." } });
    expect(byPrefix.events.map((e) => e.action).every((a) => a.startsWith("member."))).toBe(true);
    expect(byPrefix.events).toHaveLength(9);
    expect((await api().list({ orgSlug, filters: { actor: "alice" } })).events).toHaveLength(6);
    expect((await api().list({ orgSlug, filters: { outcome: "DENIED" } })).events).toHaveLength(3);
    expect(
      (await api().list({ orgSlug, filters: { q: "target 2", action: "member.joined" } })).events,
    ).toHaveLength(1);
  });

  it("pages with a cursor, newest first, without repeats or gaps", async () => {
    const seen: number[] = [];
    let cursor: number | undefined;
    do {
      const page = await api().list({ orgSlug, limit: 4, cursor });
      seen.push(...page.events.map((e) => e.seq ?? 0));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(15);
  });

  it("re-verifies the chain on request, and records that it did", async () => {
    expect(await api().verify({ orgSlug })).toMatchObject({ ok: true, checked: 15 });
    expect(await db.auditEvent.count({ where: { chain: orgId, action: "audit.verified" } })).toBe(
      1,
    );
  });
});

const exported = async (filters: AuditFilters, format: "csv" | "ndjson") =>
  new Response(await exportStream(pool, orgId, filters, format)).text();

describe("audit export", () => {
  it("lets one organisation run only two exports at once, so it cannot hold every connection", async () => {
    const open = [
      await exportStream(pool, orgId, {}, "csv"),
      await exportStream(pool, orgId, {}, "csv"),
    ];
    await expect(exportStream(pool, orgId, {}, "csv")).rejects.toBeInstanceOf(ExportsBusy);
    // Another organisation is not held up.
    const other = await exportStream(pool, `other-${orgId}`, {}, "csv");
    await new Response(other).text();
    for (const stream of open) await new Response(stream).text();
    // Once they have finished, a new one may start.
    await new Response(await exportStream(pool, orgId, {}, "csv")).text();
  });

  it("neutralises spreadsheet formulas in CSV, quoting every cell", async () => {
    const csv = await exported({ action: "org.updated" }, "csv");
    const [header, first] = csv.trim().split("\n");
    expect(header).toMatch(/^"?seq"?,"?occurredAt"?,"?actorType"?/);
    expect(first).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(first).toMatch(/^"\d+","\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","USER"/);
  });

  // The list (Prisma) and the export (SQL under COPY) implement the filters twice; they must
  // agree on every kind of filter.
  it.each<AuditFilters>([
    {},
    { action: "member." },
    { action: "member.*" },
    { action: "member.joined" },
    { actor: "alice" },
    { actor: "id-bob" },
    { actor: "ALI" },
    { target: "target 1" },
    { target: "t-2" },
    { outcome: "DENIED" },
    { q: "TARGET 2", action: "member.joined" },
    { q: "%" },
    { action: "member_" },
    { from: new Date(Date.now() - 60_000), to: new Date(Date.now() + 60_000) },
    { to: new Date(Date.now() - 86_400_000) },
  ])("streams exactly the rows the viewer lists for %o", async (filters) => {
    const listed = (await api().list({ orgSlug, filters, limit: 200 })).events.map((e) => e.seq);
    const csv = await exported(filters, "csv");
    const rows = csv.trim().split("\n").slice(1);
    expect(rows.filter(Boolean).map((r) => Number(r.split(",")[0]?.replaceAll('"', "")))).toEqual(
      listed,
    );
    const ndjson = await exported(filters, "ndjson");
    const parsed = ndjson
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(parsed.map((e) => e.seq)).toEqual(listed);
  });

  it("writes each NDJSON line verbatim, whatever the metadata holds", async () => {
    const tricky = {
      quote: 'say "hi"',
      backslash: "C:\\temp\\new",
      newline: "a\nb\r\nc",
      separators: "\u001e\u001f\t",
      unicode: "żółw 🐢",
      nested: { list: [1, 2.5, null, true] },
    };
    await db.$transaction((tx) =>
      recordAuditEvent(tx, {
        orgId,
        actor: { type: "SYSTEM", name: "tricky" },
        action: "org.updated",
        metadata: tricky,
      }),
    );
    const lines = (await exported({ actor: "tricky" }, "ndjson")).split("\n").filter(Boolean);
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0] ?? "");
    expect(event.metadata).toEqual(tricky);
    expect(event).toMatchObject({
      actorName: "tricky",
      actorType: "SYSTEM",
      prevHash: expect.any(String),
    });
  });
});
