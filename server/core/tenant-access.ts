// The one tenant check: is this caller (session or API key) a member of the organisation,
// and does their role (and the key's scopes) grant the permission? Used by every
// tenant-scoped tRPC procedure and by the few plain HTTP routes (streaming exports).
import { TRPCError } from "@trpc/server";
import type { AuthenticatedKey } from "../api-keys/authenticate.ts";
import type { Acting } from "../auth/acting.ts";
import { can, type Permission } from "../auth/permissions.ts";
import type { ValidSession } from "../auth/sessions.ts";
import { type Db, isProcessDb } from "../db/client.ts";
import type { Organization } from "../db/generated/client.ts";
import type { Role } from "../db/generated/enums.ts";
import { orgSlugPattern } from "../organizations/schemas.ts";
import { ReadCache } from "./read-cache.ts";

type Membership = { orgId: string; role: Role; org: Organization };

// Kept until the person's memberships or the organisation's row change (read-cache.ts).
const memberships = new ReadCache<Membership>({ ttlMs: 60_000, maxEntries: 50_000 }, isProcessDb);

/**
 * The caller's role in the organisation and the organisation's row, in one statement (every
 * tenant procedure asks this first; Prisma's `include` would take two). `o.*` keeps the row
 * whole as columns are added; the driver adapter reads its types as Prisma's models do.
 */
function membershipIn(db: Db, userId: string, orgSlug: string) {
  return memberships.read(db, `${userId}\0${orgSlug}`, async () => {
    const found = await readMembership(db, userId, orgSlug);
    return found && { value: found, tags: [`user:${userId}`, `org:${found.orgId}`] };
  });
}

async function readMembership(db: Db, userId: string, orgSlug: string): Promise<Membership | null> {
  const [row] = await db.$queryRaw<(Organization & { membershipRole: Role })[]>`
    SELECT m.role AS "membershipRole", o.*
    FROM "Membership" m JOIN "Organization" o ON o.id = m."orgId"
    WHERE m."userId" = ${userId} AND o.slug = ${orgSlug}`;
  if (!row) return null;
  const { membershipRole, ...org } = row;
  return { orgId: org.id, role: membershipRole, org: org as Organization };
}

interface Caller {
  db: Db;
  session: ValidSession | null;
  apiKey?: AuthenticatedKey | null;
}

/**
 * Non-members get NOT_FOUND, so an organisation's existence is not revealed; members
 * without the permission get FORBIDDEN.
 */
export async function resolveTenantAccess(ctx: Caller, orgSlug: string, permission: Permission) {
  const key = ctx.apiKey;
  const user = ctx.session?.user ?? key?.user;
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in or use an API key." });
  // No organisation has any other address; and the database refuses some text outright
  // (a NUL character), which must not become a 500.
  if (!orgSlugPattern.test(orgSlug)) {
    throw new TRPCError({ code: "NOT_FOUND", message: "No such organisation." });
  }
  const membership = await membershipIn(ctx.db, user.id, orgSlug);
  if (!membership || (key && key.orgId !== membership.orgId)) {
    throw new TRPCError({ code: "NOT_FOUND", message: "No such organisation." });
  }
  if (key && !key.scopes.includes(permission)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `This API key is not scoped for ${permission}.`,
    });
  }
  if (!can(membership.role, permission)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `Your role (${membership.role.toLowerCase()}) does not allow ${permission}.`,
    });
  }
  const acting: Acting = {
    user,
    role: membership.role,
    audit: key
      ? { type: "API_KEY", id: key.id, name: `${key.name} (${key.prefix}…, ${user.email})` }
      : { type: "USER", id: user.id, name: user.email },
  };
  return { org: membership.org, role: membership.role, acting };
}
