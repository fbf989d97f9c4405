// Organisations: create one, look at one, rename one.
import { createTRPCRouter, signedInProcedure, tenantProcedure } from "../core/trpc.ts";
import { createOrganizationSchema, renameOrganizationSchema } from "./schemas.ts";
import { createOrganization, renameOrganization } from "./service.ts";

export const organizationsRouter = createTRPCRouter({
  create: signedInProcedure
    .input(createOrganizationSchema)
    .mutation(({ ctx, input }) => createOrganization(ctx.db, ctx.session.user, input, ctx.request)),

  overview: tenantProcedure("org.read").query(async ({ ctx }) => {
    const [members, recentEvents] = await Promise.all([
      ctx.db.membership.count({ where: { orgId: ctx.org.id } }),
      ctx.db.auditEvent.count({
        where: { orgId: ctx.org.id, occurredAt: { gte: new Date(Date.now() - 7 * 86_400_000) } },
      }),
    ]);
    return {
      slug: ctx.org.slug,
      name: ctx.org.name,
      createdAt: ctx.org.createdAt,
      yourRole: ctx.role,
      members,
      auditEventsLast7Days: recentEvents,
    };
  }),

  rename: tenantProcedure("org.update")
    .input(renameOrganizationSchema)
    .mutation(({ ctx, input }) =>
      renameOrganization(ctx.db, ctx.acting, ctx.org, input.name, ctx.request),
    ),
});
