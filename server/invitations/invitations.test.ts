import { beforeEach, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { latestMail, tokenFrom } from "../../test/mail.ts";
import { createCaller } from "../root-router.ts";
import { hashToken } from "../tokens/secret-token.ts";

const db = connectTestDb();
type User = Awaited<ReturnType<typeof makeUser>>;
type Org = Awaited<ReturnType<typeof makeOrg>>;

let owner: User;
let org: Org;

beforeEach(async () => {
  owner = await makeUser(db);
  org = await makeOrg(db, [{ userId: owner.id, role: "OWNER" }]);
});

const as = (user: User | null) => createCaller(contextFor(db, user));

/** Invites `email` as the owner and returns the token from the emailed link. */
async function invite(email: string, role: "ADMIN" | "MEMBER" | "VIEWER" = "MEMBER") {
  await as(owner).invitations.create({ orgSlug: org.slug, email, role });
  return tokenFrom(await latestMail(email), "/invite");
}

describe("invitations", () => {
  it("email a single-use link whose token is stored only as a hash", async () => {
    const invitee = await makeUser(db);
    const token = await invite(invitee.email);
    const row = await db.invitation.findFirstOrThrow({
      where: { orgId: org.id, email: invitee.email },
    });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
  });

  it("create the membership and mark the invitation used, in one go", async () => {
    const invitee = await makeUser(db);
    const token = await invite(invitee.email, "VIEWER");
    expect(await as(invitee).invitations.accept({ token })).toEqual({ orgSlug: org.slug });
    const membership = await db.membership.findFirstOrThrow({
      where: { orgId: org.id, userId: invitee.id },
    });
    expect(membership.role).toBe("VIEWER");
    const events = await db.auditEvent.findMany({
      where: { orgId: org.id, action: { in: ["member.invited", "member.joined"] } },
    });
    expect(events.map((e) => e.action).sort()).toEqual(["member.invited", "member.joined"]);
  });

  it("refuse a reused link", async () => {
    const invitee = await makeUser(db);
    const token = await invite(invitee.email);
    await as(invitee).invitations.accept({ token });
    await expect(as(invitee).invitations.accept({ token })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "This invitation has already been used.",
    });
  });

  it("refuse an expired link", async () => {
    const invitee = await makeUser(db);
    const token = await invite(invitee.email);
    await db.invitation.updateMany({
      where: { tokenHash: hashToken(token) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expect(as(invitee).invitations.accept({ token })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/^This invitation has expired/),
    });
  });

  it("refuse a revoked link", async () => {
    const invitee = await makeUser(db);
    const token = await invite(invitee.email);
    const row = await db.invitation.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } });
    await as(owner).invitations.revoke({ orgSlug: org.slug, invitationId: row.id });
    await expect(as(invitee).invitations.accept({ token })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/^This invitation was withdrawn/),
    });
  });

  it("refuse someone signed in with another email, and an unverified address", async () => {
    const invitee = await makeUser(db, { verified: false });
    const other = await makeUser(db);
    const token = await invite(invitee.email);
    await expect(as(other).invitations.accept({ token })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: `This invitation is for ${invitee.email}, but you are signed in as ${other.email}.`,
    });
    await expect(as(invitee).invitations.accept({ token })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: expect.stringMatching(/^Confirm your email address first/),
    });
    expect(await db.membership.count({ where: { orgId: org.id } })).toBe(1);
  });

  it("refuse a forged token", async () => {
    const invitee = await makeUser(db);
    await invite(invitee.email);
    const forged = Buffer.alloc(32, 7).toString("base64url");
    await expect(as(invitee).invitations.accept({ token: forged })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("rotate the token on resend, so the old link stops working", async () => {
    const invitee = await makeUser(db);
    const oldToken = await invite(invitee.email);
    const row = await db.invitation.findUniqueOrThrow({
      where: { tokenHash: hashToken(oldToken) },
    });
    await as(owner).invitations.resend({ orgSlug: org.slug, invitationId: row.id });
    const newToken = tokenFrom(await latestMail(invitee.email), "/invite");
    expect(newToken).not.toBe(oldToken);
    await expect(as(invitee).invitations.accept({ token: oldToken })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await as(invitee).invitations.accept({ token: newToken });
  });

  it("refuse inviting an existing member or a second pending invitation, clearly", async () => {
    await expect(
      as(owner).invitations.create({ orgSlug: org.slug, email: owner.email, role: "MEMBER" }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: `${owner.email} is already a member.`,
    });
    await invite("twice@example.test");
    await expect(
      as(owner).invitations.create({
        orgSlug: org.slug,
        email: "twice@example.test",
        role: "MEMBER",
      }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: "twice@example.test already has a pending invitation. Resend it instead.",
    });
  });

  it("stop at the plan's seat limit, counting pending invitations", async () => {
    await db.organization.update({ where: { id: org.id }, data: { seatLimit: 2 } });
    await invite("seat-two@example.test");
    await expect(
      as(owner).invitations.create({
        orgSlug: org.slug,
        email: "seat-three@example.test",
        role: "MEMBER",
      }),
    ).rejects.toMatchObject({
      code: "CONFLICT",
      message: "All 2 seats of your plan are taken by members and pending invitations.",
    });
  });

  it("hold the seat limit when many invitations race", async () => {
    await db.organization.update({ where: { id: org.id }, data: { seatLimit: 4 } });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        as(owner).invitations.create({
          orgSlug: org.slug,
          email: `racer-${i}@example.test`,
          role: "MEMBER",
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(await db.invitation.count({ where: { orgId: org.id } })).toBe(3);
  });

  it("go only to the allowed email domain when one is set", async () => {
    await db.organization.update({
      where: { id: org.id },
      data: { allowedEmailDomain: "acme.test" },
    });
    await expect(
      as(owner).invitations.create({
        orgSlug: org.slug,
        email: "x@elsewhere.test",
        role: "MEMBER",
      }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Only addresses at acme.test can be invited.",
    });
    await invite("y@acme.test");
  });

  it("never grant a role above the inviter's own", async () => {
    const admin = await makeUser(db);
    await db.membership.create({ data: { orgId: org.id, userId: admin.id, role: "ADMIN" } });
    await expect(
      as(admin).invitations.create({
        orgSlug: org.slug,
        email: "boss@example.test",
        role: "OWNER",
      }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await as(admin).invitations.create({
      orgSlug: org.slug,
      email: "peer@example.test",
      role: "ADMIN",
    });
  });

  it("are refused to members without the invite permission", async () => {
    const member = await makeUser(db);
    await db.membership.create({ data: { orgId: org.id, userId: member.id, role: "MEMBER" } });
    await expect(
      as(member).invitations.create({ orgSlug: org.slug, email: "z@example.test", role: "VIEWER" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "Your role (member) does not allow member.invite.",
    });
  });
});
