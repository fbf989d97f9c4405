// Per-file access to the run's database, plus small factories for test data.
import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import type { Context } from "../server/core/trpc.ts";
import { createDb, type Db } from "../server/db/client.ts";
import type { Role } from "../server/db/generated/enums.ts";
import { createPgPool, type PgPool } from "../server/db/pg-pool.ts";

/** A client on the run's database, disconnected after the file's tests. */
export function connectTestDb(): Db {
  const db = createDb(inject("databaseUrl"));
  afterAll(() => db.$disconnect());
  return db;
}

/** A node-postgres pool on the run's database (for COPY), closed after the file's tests. */
export function connectTestPool(): PgPool {
  const pool = createPgPool(inject("databaseUrl"));
  afterAll(() => pool.end());
  return pool;
}

const unique = () => randomBytes(4).toString("hex");

export async function makeUser(
  db: Db,
  overrides: { email?: string; name?: string; verified?: boolean } = {},
) {
  const id = unique();
  return db.user.create({
    data: {
      email: overrides.email ?? `user-${id}@example.test`,
      name: overrides.name ?? `User ${id}`,
      emailVerifiedAt: overrides.verified === false ? null : new Date(),
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

export const testRequest = { ipAddress: "127.0.0.1", userAgent: "vitest", requestId: "test" };

/** What a tRPC procedure sees for a request by `user` (or a signed-out one). */
export function contextFor(
  db: Db,
  user: { id: string; email: string; name: string; emailVerifiedAt?: Date | null } | null,
): Context {
  if (!user) return { db, session: null, request: testRequest };
  const sessionUser = {
    id: user.id,
    email: user.email,
    name: user.name,
    emailVerified: Boolean(user.emailVerifiedAt),
  };
  return { db, session: { id: "test-session", user: sessionUser }, request: testRequest };
}
