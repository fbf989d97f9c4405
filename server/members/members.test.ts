import { beforeEach, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { createCaller } from "../root-router.ts";

const db = connectTestDb();
type User = Awaited<ReturnType<typeof makeUser>>;

let owner: User;
let admin: User;
let member: User;
let orgSlug: string;
let orgId: string;

beforeEach(async () => {
  [owner, admin, member] = await Promise.all([makeUser(db), makeUser(db), makeUser(db)]);
  const org = await makeOrg(db, [
    { userId: owner.id, role: "OWNER" },
    { userId: admin.id, role: "ADMIN" },
    { userId: member.id, role: "MEMBER" },
  ]);
  orgSlug = org.slug;
  orgId = org.id;
});

const as = (user: User) => createCaller(contextFor(db, user));

describe("members", () => {
  it("are listed with role, join date and last activity", async () => {
    const list = await as(member).members.list({ orgSlug });
    expect(list.map((m) => [m.email, m.role])).toEqual([
      [owner.email, "OWNER"],
      [admin.email, "ADMIN"],
      [member.email, "MEMBER"],
    ]);
    expect(list[0]).toHaveProperty("lastActiveAt", null);
  });

  it("keep their last owner: no demotion, no removal", async () => {
    await expect(
      as(owner).members.changeRole({ orgSlug, userId: owner.id, role: "ADMIN" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/^An organisation needs at least one owner/),
    });
    await expect(as(owner).members.remove({ orgSlug, userId: owner.id })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("let an owner step down once another owner exists", async () => {
    await as(owner).members.changeRole({ orgSlug, userId: admin.id, role: "OWNER" });
    await as(owner).members.changeRole({ orgSlug, userId: owner.id, role: "MEMBER" });
    const roles = await db.membership.findMany({
      where: { orgId },
      select: { userId: true, role: true },
    });
    expect(roles.find((r) => r.userId === owner.id)?.role).toBe("MEMBER");
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { orgId, action: "member.role_changed", targetId: owner.id },
    });
    expect(audit.metadata).toEqual({ before: { role: "OWNER" }, after: { role: "MEMBER" } });
  });

  it("refuse escalation: an admin can neither make an owner nor touch one", async () => {
    await expect(
      as(admin).members.changeRole({ orgSlug, userId: member.id, role: "OWNER" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      as(admin).members.changeRole({ orgSlug, userId: admin.id, role: "OWNER" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(as(admin).members.remove({ orgSlug, userId: owner.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      as(member).members.changeRole({ orgSlug, userId: member.id, role: "ADMIN" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("lose access on their next request once removed", async () => {
    expect(await as(member).organizations.overview({ orgSlug })).toMatchObject({
      yourRole: "MEMBER",
    });
    await as(admin).members.remove({ orgSlug, userId: member.id });
    await expect(as(member).organizations.overview({ orgSlug })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("take their API keys with them, so a later invitation does not revive them", async () => {
    const key = await as(member).apiKeys.create({
      orgSlug,
      name: "laptop",
      scopes: ["agent.read"],
      expiresInDays: 30,
    });
    await as(admin).members.remove({ orgSlug, userId: member.id });
    await db.membership.create({ data: { orgId, userId: member.id, role: "MEMBER" } });
    const row = await db.apiKey.findFirstOrThrow({ where: { orgId, createdById: member.id } });
    expect(row.revokedAt).not.toBeNull();
    const event = await db.auditEvent.findFirstOrThrow({
      where: { chain: orgId, action: "member.removed" },
    });
    expect(JSON.stringify(event.metadata)).toContain("laptop");
    expect(key).toBeTruthy();
  });
});
