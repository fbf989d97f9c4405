// Per-file access to the run's database, plus small factories for test data.
import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { createDb, type Db } from "../server/db/client.ts";
import type { Role } from "../server/db/generated/enums.ts";

/** A client on the run's database, disconnected after the file's tests. */
export function connectTestDb(): Db {
  const db = createDb(inject("databaseUrl"));
  afterAll(() => db.$disconnect());
  return db;
}

const unique = () => randomBytes(4).toString("hex");

export async function makeUser(db: Db, overrides: { email?: string; name?: string } = {}) {
  const id = unique();
  return db.user.create({
    data: {
      email: overrides.email ?? `user-${id}@example.test`,
      name: overrides.name ?? `User ${id}`,
    },
  });
}

export async function makeOrg(db: Db, members: { userId: string; role: Role }[] = []) {
  const id = unique();
  return db.organization.create({
    data: {
      slug: `org-${id}`,
      name: `Org ${id}`,
      memberships: { create: members.map((m) => ({ userId: m.userId, role: m.role })) },
    },
  });
}
