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
  it("need a confirmed email address and stop at the per-person limit, so nobody fills a fleet", async () => {
    const unverified = await makeUser(db, { verified: false });
    await expect(
      as(unverified).organizations.create({ name: "Squat", slug: `squat-${Date.now()}` }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/Confirm your email/),
    });
    // The same person's agents, in an organisation they were added to, wait for it too.
    const shared = await makeOrg(db, [{ userId: unverified.id, role: "ADMIN" }]);
    await expect(
      as(unverified).agents.create({
        orgSlug: shared.slug,
        name: "squatter",
        image: "corral/agent-base:latest",
        cpuMillis: 100,
        memoryMb: 64,
        workspaceMb: 64,
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });

    const hoarder = await makeUser(db);
    for (let i = 0; i < 10; i++)
      await as(hoarder).organizations.create({
        name: `H${i}`,
        slug: `hoard-${i}-${hoarder.id.slice(-6)}`,
      });
    await expect(
      as(hoarder).organizations.create({
        name: "One more",
        slug: `hoard-x-${hoarder.id.slice(-6)}`,
      }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/the most one person may own here \(10\)/),
    });
  });

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
