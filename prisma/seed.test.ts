import { describe, expect, it } from "vitest";
import { verifyPassword } from "../server/auth/password.ts";
import { connectTestDb } from "../test/db.ts";
import { demo, seedDemo } from "./seed.ts";

const db = connectTestDb();

describe("demo seed", () => {
  it("creates the demo owner, organisation and agent once, and resets the password on re-run", async () => {
    await seedDemo(db, "first-password");
    await seedDemo(db, "second-password");
    const user = await db.user.findUniqueOrThrow({
      where: { email: demo.email },
      include: { memberships: { include: { org: true } } },
    });
    expect(user.memberships).toHaveLength(1);
    expect(user.memberships[0]).toMatchObject({ role: "OWNER", org: { slug: demo.orgSlug } });
    expect(await verifyPassword(user.passwordHash ?? "", "second-password")).toBe(true);
    const orgId = user.memberships[0]?.orgId;
    expect(await db.auditEvent.count({ where: { orgId } })).toBe(3);
    expect(
      await db.agent.findMany({ where: { orgId }, select: { name: true, desiredState: true } }),
    ).toEqual([{ name: "hello-agent", desiredState: "RUNNING" }]);
    expect(await db.sandbox.count({ where: { orgId } })).toBe(1);
  });
});
