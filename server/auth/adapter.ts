// The part of Auth.js's adapter contract that magic links and single sign-on need, over
// Corral's own tables. Sessions stay Corral's own (sessions.ts), so the session methods
// are deliberately absent.
import type { Adapter, AdapterAccount, AdapterUser } from "next-auth/adapters";
import type { AuditRequest } from "../audit/record.ts";
import { recordAuditEvent } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { claimProvenAddress } from "./address-proof.ts";

type UserRow = { id: string; email: string; name: string; emailVerifiedAt: Date | null };

const toAdapterUser = (u: UserRow): AdapterUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  emailVerified: u.emailVerifiedAt,
});

export function corralAdapter(db: Db, request: AuditRequest): Adapter {
  return {
    async createUser(user) {
      const email = user.email.toLowerCase();
      return db.$transaction(async (tx) => {
        const created = await tx.user.create({
          data: {
            email,
            name: user.name?.trim() || email.split("@")[0] || email,
            emailVerifiedAt: user.emailVerified,
          },
        });
        await recordAuditEvent(tx, {
          actor: { type: "USER", id: created.id, name: email },
          action: "user.signed_up",
          target: { type: "user", id: created.id, name: email },
          request,
          metadata: { method: "external" },
        });
        return toAdapterUser(created);
      });
    },
    async getUser(id) {
      const u = await db.user.findUnique({ where: { id } });
      return u && toAdapterUser(u);
    },
    async getUserByEmail(email) {
      const u = await db.user.findUnique({ where: { email: email.toLowerCase() } });
      return u && toAdapterUser(u);
    },
    async getUserByAccount({ provider, providerAccountId }) {
      const account = await db.account.findUnique({
        where: { provider_providerAccountId: { provider, providerAccountId } },
        include: { user: true },
      });
      return account && toAdapterUser(account.user);
    },
    // Auth.js calls this with emailVerified when a sign-in link is used: the first proof of
    // the address, which also drops whatever was set up without it (address-proof.ts).
    async updateUser(user) {
      const updated = await db.$transaction(async (tx) => {
        const before = await tx.user.findUniqueOrThrow({ where: { id: user.id } });
        if (user.emailVerified && !before.emailVerifiedAt)
          await claimProvenAddress(tx, user.id, "email", request);
        else if (user.emailVerified !== undefined)
          await tx.user.update({
            where: { id: user.id },
            data: { emailVerifiedAt: user.emailVerified },
          });
        return tx.user.findUniqueOrThrow({ where: { id: user.id } });
      });
      return toAdapterUser(updated);
    },
    async linkAccount(account: AdapterAccount) {
      await db.account.create({
        data: {
          userId: account.userId,
          type: account.type,
          provider: account.provider,
          providerAccountId: account.providerAccountId,
        },
      });
    },
    async createVerificationToken(token) {
      await db.authVerificationToken.create({ data: token });
      return token;
    },
    async useVerificationToken({ identifier, token }) {
      // DELETE … RETURNING in one statement: of two uses of one link, only one gets it.
      const used = await db.$queryRaw<{ identifier: string; token: string; expires: Date }[]>`
        DELETE FROM "AuthVerificationToken" WHERE identifier = ${identifier} AND token = ${token}
        RETURNING identifier, token, expires`;
      return used[0] ?? null;
    },
  };
}
