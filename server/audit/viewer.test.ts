import { beforeAll, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { createCaller } from "../root-router.ts";
import { csvCell, exportStream } from "./export.ts";
import { type AuditAction, recordAuditEvent } from "./record.ts";

const db = connectTestDb();
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

describe("audit export", () => {
  it("neutralises spreadsheet formulas in CSV", () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell("+1")).toBe(`"'+1"`);
    expect(csvCell("-cmd")).toBe(`"'-cmd"`);
    expect(csvCell("@SUM(A1)")).toBe(`"'@SUM(A1)"`);
    expect(csvCell("plain, text")).toBe(`"plain, text"`);
    expect(csvCell(null)).toBe(`""`);
  });

  it("streams exactly the filtered rows as CSV and NDJSON", async () => {
    const filters = { action: "member." };
    const listed = (await api().list({ orgSlug, filters, limit: 200 })).events.map((e) => e.seq);
    const csv = await new Response(exportStream(db, orgId, filters, "csv")).text();
    const rows = csv.trim().split("\r\n");
    expect(rows[0]).toMatch(/^seq,occurredAt,actorType/);
    expect(rows.slice(1).map((r) => Number(r.split(",")[0]?.replaceAll('"', "")))).toEqual(listed);

    const ndjson = await new Response(exportStream(db, orgId, filters, "ndjson")).text();
    const parsed = ndjson
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(parsed.map((e) => e.seq)).toEqual(listed);
    expect(parsed[0]).toHaveProperty("hash");
  });
});
