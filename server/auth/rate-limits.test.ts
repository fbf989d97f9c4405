import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { connectTestDb, contextFor, makeOrg, makeUser } from "../../test/db.ts";
import { createCaller } from "../root-router.ts";
import { forget, hit, lockedFor, pointsOf, RateLimitedError, ratePolicies } from "./rate-limits.ts";

const db = connectTestDb();

describe("rate limits", () => {
  it("allow a policy's points, then refuse with how long to wait", async () => {
    const key = randomUUID();
    for (let i = 0; i < ratePolicies["sign-up:ip"].points; i++)
      await hit("sign-up:ip", key, "sign-ups");
    const refused = await hit("sign-up:ip", key, "sign-ups").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).message).toMatch(
      /^Too many sign-ups\. Try again in (59|60) minutes\.$/,
    );
    expect((refused as RateLimitedError).code).toBe("TOO_MANY_REQUESTS");
  });

  it("count concurrent hits exactly", async () => {
    const key = randomUUID();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, () => hit("sign-in:ip", key, "x")),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(pointsOf("sign-in:ip"));
  });

  it("lock an account after repeated failures until forgotten", async () => {
    const email = `${randomUUID()}@example.test`;
    for (let i = 0; i < 5; i++) {
      expect(await lockedFor("sign-in:account-failures", email)).toBe(0);
      await hit("sign-in:account-failures", email, "failed sign-ins");
    }
    expect(await lockedFor("sign-in:account-failures", email)).toBeGreaterThan(14 * 60);
    await forget("sign-in:account-failures", email);
    expect(await lockedFor("sign-in:account-failures", email)).toBe(0);
  });

  it("stop one person sending invitations without end", async () => {
    const owner = await makeUser(db);
    const org = await makeOrg(db, [{ userId: owner.id, role: "OWNER" }]);
    await db.organization.update({ where: { id: org.id }, data: { seatLimit: 1000 } });
    const api = createCaller({
      ...contextFor(db, owner),
      request: { ipAddress: randomUUID(), userAgent: "t", requestId: "t" },
    });
    for (let i = 0; i < ratePolicies["invite:account"].points; i++) {
      await api.invitations.create({
        orgSlug: org.slug,
        email: `flood-${i}@example.test`,
        role: "VIEWER",
      });
    }
    await expect(
      api.invitations.create({ orgSlug: org.slug, email: "one-more@example.test", role: "VIEWER" }),
    ).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
      message: expect.stringMatching(/^Too many invitations sent\. Try again in/),
    });
  });
});
