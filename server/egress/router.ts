// Agents' egress: policies and the ceiling (admins), live decisions (everyone), and the
// quarantine brake (anyone who manages agents may pull it; admins release it).
import { z } from "zod";
import { egressCeilingSchema } from "../../common/egress-policy.ts";
import { whenChanged } from "../core/live.ts";
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import { agentRef, quarantineSchema, setPolicySchema } from "./schemas.ts";
import {
  agentEgress,
  orgCeiling,
  quarantineAgent,
  recentDecisions,
  releaseAgent,
  setAgentPolicy,
  setOrgCeiling,
} from "./service.ts";

export const egressRouter = createTRPCRouter({
  agent: tenantProcedure("agent.read")
    .input(agentRef)
    .query(({ ctx, input }) => agentEgress(ctx.db, ctx.org, input.agentId)),

  setPolicy: tenantProcedure("egress.manage")
    .input(setPolicySchema)
    .mutation(({ ctx, input }) =>
      setAgentPolicy(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  ceiling: tenantProcedure("org.read").query(({ ctx }) => orgCeiling(ctx.db, ctx.org.id)),

  setCeiling: tenantProcedure("egress.manage")
    .input(egressCeilingSchema)
    .mutation(({ ctx, input }) =>
      setOrgCeiling(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  quarantine: tenantProcedure("agent.manage")
    .input(quarantineSchema)
    .mutation(({ ctx, input }) =>
      quarantineAgent(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  release: tenantProcedure("egress.manage")
    .input(agentRef)
    .mutation(({ ctx, input }) =>
      releaseAgent(ctx.db, ctx.acting, ctx.org.id, input.agentId, ctx.request),
    ),

  /** The agent's latest gateway decisions (what the live view falls back to). */
  decisions: tenantProcedure("agent.read")
    .input(agentRef.extend({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => recentDecisions(ctx.db, ctx.org.id, input.agentId, input.limit)),

  /** The agent's latest gateway decisions, pushed as they arrive. */
  watchDecisions: tenantProcedure("agent.read")
    .input(agentRef.extend({ limit: z.number().int().min(1).max(200).default(50) }))
    .subscription(({ ctx, input, signal }) =>
      whenChanged(() => recentDecisions(ctx.db, ctx.org.id, input.agentId, input.limit), signal),
    ),
});
