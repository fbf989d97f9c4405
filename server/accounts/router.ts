// The signed-in person: who they are and which organisations they belong to.

import { z } from "zod";
import { revokeAllSessions } from "../auth/sign-out-everywhere.ts";
import { createTRPCRouter, signedInProcedure } from "../core/trpc.ts";

export const accountsRouter = createTRPCRouter({
  me: signedInProcedure.query(({ ctx }) => ctx.session.user),

  organizations: signedInProcedure.query(async ({ ctx }) => {
    const memberships = await ctx.db.membership.findMany({
      where: { userId: ctx.session.user.id },
      include: { org: { select: { slug: true, name: true } } },
      orderBy: { org: { name: "asc" } },
    });
    return memberships.map((m) => ({ slug: m.org.slug, name: m.org.name, role: m.role }));
  }),

  signOutEverywhere: signedInProcedure
    .input(
      z.object({ revokeApiKeys: z.boolean().default(false) }).default({ revokeApiKeys: false }),
    )
    .mutation(({ ctx, input }) =>
      ctx.db.$transaction((tx) =>
        revokeAllSessions(tx, ctx.session.user, ctx.request, "requested", input),
      ),
    ),
});
