// Organisations: create one, look at one, change its settings, delete it.
import { createTRPCRouter, signedInProcedure, tenantProcedure } from "../core/trpc.ts";
import { onboardingSteps } from "../onboarding/checklist.ts";
import {
  createOrganizationSchema,
  deleteOrganizationSchema,
  updateOrganizationSchema,
} from "./schemas.ts";
import { createOrganization, deleteOrganization, updateOrganization } from "./service.ts";

export const organizationsRouter = createTRPCRouter({
  create: signedInProcedure
    .input(createOrganizationSchema)
    .mutation(({ ctx, input }) => createOrganization(ctx.db, ctx.session.user, input, ctx.request)),

  overview: tenantProcedure("org.read").query(async ({ ctx }) => {
    const [members, recentEvents, agents] = await Promise.all([
      ctx.db.membership.count({ where: { orgId: ctx.org.id } }),
      ctx.db.auditEvent.count({
        where: { orgId: ctx.org.id, occurredAt: { gte: new Date(Date.now() - 7 * 86_400_000) } },
      }),
      ctx.db.agent.groupBy({ by: ["observedState"], where: { orgId: ctx.org.id }, _count: true }),
    ]);
    const count = (states: string[]) =>
      agents.filter((a) => states.includes(a.observedState)).reduce((n, a) => n + a._count, 0);
    return {
      slug: ctx.org.slug,
      name: ctx.org.name,
      createdAt: ctx.org.createdAt,
      yourRole: ctx.role,
      members,
      auditEventsLast7Days: recentEvents,
      agents: {
        total: count([
          "PENDING",
          "PROVISIONING",
          "RUNNING",
          "STOPPING",
          "STOPPED",
          "FAILED",
          "CRASH_LOOPING",
        ]),
        running: count(["RUNNING"]),
        failing: count(["FAILED", "CRASH_LOOPING"]),
      },
    };
  }),

  onboarding: tenantProcedure("org.read").query(({ ctx }) => onboardingSteps(ctx.db, ctx.org.id)),

  settings: tenantProcedure("org.read").query(({ ctx }) => ({
    name: ctx.org.name,
    slug: ctx.org.slug,
    allowedEmailDomain: ctx.org.allowedEmailDomain,
    seatLimit: ctx.org.seatLimit,
  })),

  update: tenantProcedure("org.update")
    .input(updateOrganizationSchema)
    .mutation(({ ctx, input }) =>
      updateOrganization(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  delete: tenantProcedure("org.delete")
    .input(deleteOrganizationSchema)
    .mutation(({ ctx, input }) =>
      deleteOrganization(ctx.db, ctx.acting, ctx.org, input.confirmName, ctx.request),
    ),
});
