import { beforeEach, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { createCaller } from "../root-router.ts";

const db = connectTestDb();
type User = Awaited<ReturnType<typeof makeUser>>;
const as = (user: User) => createCaller(contextFor(db, user));

let owner: User;
let admin: User;
let org: Awaited<ReturnType<typeof makeOrg>>;

beforeEach(async () => {
  [owner, admin] = await Promise.all([makeUser(db), makeUser(db)]);
  org = await makeOrg(db, [
    { userId: owner.id, role: "OWNER" },
    { userId: admin.id, role: "ADMIN" },
  ]);
});

describe("organisations", () => {
  it("are created with their creator as owner, and refuse a taken or reserved address", async () => {
    const slug = `team-${Date.now()}`;
    expect(await as(admin).organizations.create({ name: "Team", slug })).toEqual({
      slug,
      name: "Team",
    });
    expect(await as(admin).organizations.overview({ orgSlug: slug })).toMatchObject({
      yourRole: "OWNER",
      members: 1,
    });
    await expect(as(owner).organizations.create({ name: "Again", slug })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "That address is taken. Choose another.",
    });
    await expect(
      as(owner).organizations.create({ name: "Reserved", slug: "settings" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("record what a settings change changed", async () => {
    await as(admin).organizations.update({
      orgSlug: org.slug,
      name: "Renamed",
      allowedEmailDomain: "Example.COM",
    });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { orgId: org.id, action: "org.updated" },
    });
    expect(event.metadata).toEqual({
      before: { name: org.name, allowedEmailDomain: null },
      after: { name: "Renamed", allowedEmailDomain: "example.com" },
    });
    await as(admin).organizations.update({
      orgSlug: org.slug,
      name: "Renamed",
      allowedEmailDomain: "",
    });
    expect(
      (await db.organization.findUniqueOrThrow({ where: { id: org.id } })).allowedEmailDomain,
    ).toBeNull();
  });

  it("are deleted only by an owner who types the name", async () => {
    await expect(
      as(admin).organizations.delete({ orgSlug: org.slug, confirmName: org.name }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      as(owner).organizations.delete({ orgSlug: org.slug, confirmName: "nope" }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: `Type the organisation's name, ${org.name}, to confirm.`,
    });
  });

  it("when deleted, cut everyone off, free the address and keep the audit log", async () => {
    await as(owner).invitations.create({
      orgSlug: org.slug,
      email: "pending@example.test",
      role: "MEMBER",
    });
    const key = await as(admin).apiKeys.create({
      orgSlug: org.slug,
      name: "k",
      scopes: ["member.read"],
      expiresInDays: 1,
    });
    await as(owner).organizations.delete({ orgSlug: org.slug, confirmName: org.name });

    await expect(as(admin).organizations.overview({ orgSlug: org.slug })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await as(owner).accounts.organizations()).toEqual([]);
    expect(await db.apiKey.count({ where: { id: key.id } })).toBe(0);
    expect(await db.invitation.count({ where: { orgId: org.id } })).toBe(0);
    const actions = (await db.auditEvent.findMany({ where: { orgId: org.id } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(["member.invited", "api_key.created", "org.deleted"]),
    );
    await as(owner).organizations.create({ name: "Reborn", slug: org.slug });
  });
});
