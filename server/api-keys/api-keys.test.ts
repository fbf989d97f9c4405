import { beforeEach, describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { createContext } from "../core/trpc.ts";
import { createCaller } from "../root-router.ts";

const db = connectTestDb();
type User = Awaited<ReturnType<typeof makeUser>>;

let admin: User;
let orgSlug: string;
let otherSlug: string;

beforeEach(async () => {
  admin = await makeUser(db);
  orgSlug = (await makeOrg(db, [{ userId: admin.id, role: "ADMIN" }])).slug;
  otherSlug = (await makeOrg(db, [{ userId: admin.id, role: "OWNER" }])).slug;
});

/** The API as a caller presenting `secret` in the Authorization header sees it. */
async function withKey(secret: string) {
  return createCaller(
    await createContext({ headers: new Headers({ authorization: `Bearer ${secret}` }) }),
  );
}

async function makeKey(
  scopes: ("member.read" | "member.invite" | "org.delete")[],
  expiresInDays: number | null = 30,
) {
  return createCaller(contextFor(db, admin)).apiKeys.create({
    orgSlug,
    name: "ci",
    scopes,
    expiresInDays,
  });
}

describe("API keys", () => {
  it("are shown once and stored only as a hash with a visible prefix", async () => {
    const { secret, prefix, id } = await makeKey(["member.read"]);
    expect(secret).toMatch(/^crl_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(prefix)).toBe(true);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id } });
    expect(JSON.stringify(row)).not.toContain(secret);
    const listed = await createCaller(contextFor(db, admin)).apiKeys.list({ orgSlug });
    expect(JSON.stringify(listed)).not.toContain(secret.slice(12));
  });

  it("work as a bearer token within their scopes, and record when they were used", async () => {
    const { secret, id } = await makeKey(["member.read"]);
    const api = await withKey(secret);
    expect(await api.members.list({ orgSlug })).toHaveLength(1);
    await expect(
      api.invitations.create({ orgSlug, email: "x@example.test", role: "VIEWER" }),
    ).rejects.toMatchObject({
      code: "FORBIDDEN",
      message: "This API key is not scoped for member.invite.",
    });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull();
  });

  it("act as the key in the audit log", async () => {
    const { secret, id } = await makeKey(["member.invite"]);
    await (await withKey(secret)).invitations.create({
      orgSlug,
      email: "via-key@example.test",
      role: "VIEWER",
    });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "member.invited", targetName: "via-key@example.test" },
    });
    expect(event).toMatchObject({ actorType: "API_KEY", actorId: id });
  });

  it("stay inside their organisation", async () => {
    const { secret } = await makeKey(["member.read"]);
    await expect(
      (await withKey(secret)).members.list({ orgSlug: otherSlug }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("cannot reach signed-in endpoints or manage keys", async () => {
    const { secret } = await makeKey(["member.read"]);
    await expect((await withKey(secret)).accounts.me()).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: expect.stringMatching(/^API keys work only on organisation endpoints/),
    });
  });

  it("cannot be scoped beyond the maker's role", async () => {
    await expect(makeKey(["org.delete"])).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("stop working once revoked or expired", async () => {
    const revoked = await makeKey(["member.read"]);
    await createCaller(contextFor(db, admin)).apiKeys.revoke({ orgSlug, keyId: revoked.id });
    await expect((await withKey(revoked.secret)).members.list({ orgSlug })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });

    const expired = await makeKey(["member.read"]);
    await db.apiKey.update({
      where: { id: expired.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expect((await withKey(expired.secret)).members.list({ orgSlug })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect((await withKey("crl_forged")).members.list({ orgSlug })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("stop working on the next request once their maker is removed", async () => {
    const { secret } = await makeKey(["member.read"]);
    const owner = await makeUser(db);
    const orgId = (await db.organization.findUniqueOrThrow({ where: { slug: orgSlug } })).id;
    await db.membership.create({ data: { orgId, userId: owner.id, role: "OWNER" } });
    expect(await (await withKey(secret)).members.list({ orgSlug })).toHaveLength(2);
    await createCaller(contextFor(db, owner)).members.remove({ orgSlug, userId: admin.id });
    // Revoked with the membership: the key no longer authenticates at all.
    await expect((await withKey(secret)).members.list({ orgSlug })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});
