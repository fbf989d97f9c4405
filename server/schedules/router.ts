// Schedules of one organisation: cron per agent, with its next runs; pause, resume, run now.
import { z } from "zod";
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import { nextRuns } from "./cron.ts";
import {
  createScheduleSchema,
  previewSchema,
  scheduleRef,
  updateScheduleSchema,
} from "./schemas.ts";
import {
  createSchedule,
  deleteSchedule,
  listSchedules,
  runScheduleNow,
  updateSchedule,
} from "./service.ts";

export const schedulesRouter = createTRPCRouter({
  list: tenantProcedure("task.read")
    .input(z.object({ agentId: z.string().max(64).optional() }))
    .query(({ ctx, input }) => listSchedules(ctx.db, ctx.org.id, input.agentId)),

  /** The next five runs of an expression, for the form as you type. */
  preview: tenantProcedure("task.read")
    .input(previewSchema)
    .query(({ input }) => ({ runs: nextRuns(input.cron, input.timezone, 5) })),

  create: tenantProcedure("task.manage")
    .input(createScheduleSchema)
    .mutation(({ ctx, input }) =>
      createSchedule(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  update: tenantProcedure("task.manage")
    .input(updateScheduleSchema)
    .mutation(({ ctx, input }) =>
      updateSchedule(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  delete: tenantProcedure("task.manage")
    .input(scheduleRef)
    .mutation(({ ctx, input }) =>
      deleteSchedule(ctx.db, ctx.acting, ctx.org.id, input.scheduleId, ctx.request),
    ),

  runNow: tenantProcedure("task.manage")
    .input(scheduleRef)
    .mutation(({ ctx, input }) =>
      runScheduleNow(ctx.db, ctx.org.id, input.scheduleId, ctx.request),
    ),
});
