// Tasks of one organisation: give agents work, cancel it, follow transcripts live, read
// history and usage, and set the price table the cost estimate uses.

import { channels, listenFor } from "../core/notify.ts";
import { createTRPCRouter, tenantProcedure } from "../core/trpc.ts";
import { priceTable } from "./prices.ts";
import {
  agentTaskSettingsSchema,
  createTaskSchema,
  listTasksSchema,
  modelPriceSchema,
  taskRef,
  usageSchema,
} from "./schemas.ts";
import {
  cancelTask,
  createTask,
  getTask,
  listTasks,
  setAgentTaskSettings,
  setModelPrice,
  taskEvents,
  usagePerDay,
} from "./service.ts";

export const tasksRouter = createTRPCRouter({
  create: tenantProcedure("task.manage")
    .input(createTaskSchema)
    .mutation(({ ctx, input }) => createTask(ctx.db, ctx.acting, ctx.org.id, input, ctx.request)),

  cancel: tenantProcedure("task.manage")
    .input(taskRef)
    .mutation(({ ctx, input }) =>
      cancelTask(ctx.db, ctx.acting, ctx.org.id, input.taskId, ctx.request),
    ),

  list: tenantProcedure("task.read")
    .input(listTasksSchema)
    .query(({ ctx, input }) => listTasks(ctx.db, ctx.org.id, input)),

  get: tenantProcedure("task.read")
    .input(taskRef)
    .query(({ ctx, input }) => getTask(ctx.db, ctx.org.id, input.taskId)),

  /**
   * A task and its transcript, live: everything from the start, then each change the moment
   * the agent's events are stored (woken by a notification), until the task ends.
   */
  watch: tenantProcedure("task.read")
    .input(taskRef)
    .subscription(async function* ({ ctx, input, signal }) {
      let seq = 0;
      let last = "";
      // Listening before each read: an event stored in between wakes the next wait at once.
      const changes = await listenFor(channels.taskEvents, input.taskId);
      try {
        while (!signal?.aborted) {
          const task = await getTask(ctx.db, ctx.org.id, input.taskId);
          const events = await taskEvents(ctx.db, ctx.org.id, input.taskId, seq);
          seq = events.at(-1)?.seq ?? seq;
          const state = JSON.stringify(task);
          if (events.length > 0 || state !== last) {
            last = state;
            yield { task, events };
          }
          if (task.finishedAt && events.length === 0) return;
          await changes.wait(5000, signal);
        }
      } finally {
        changes.close();
      }
    }),

  /** The organisation's tasks as they change (the history table, live). */
  watchList: tenantProcedure("task.read")
    .input(listTasksSchema.omit({ before: true }))
    .subscription(async function* ({ ctx, input, signal }) {
      let last = "";
      while (!signal?.aborted) {
        const rows = await listTasks(ctx.db, ctx.org.id, input);
        const state = JSON.stringify(rows);
        if (state !== last) {
          last = state;
          yield rows;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }),

  settings: tenantProcedure("agent.manage")
    .input(agentTaskSettingsSchema)
    .mutation(({ ctx, input }) =>
      setAgentTaskSettings(ctx.db, ctx.acting, ctx.org.id, input, ctx.request),
    ),

  usage: tenantProcedure("task.read")
    .input(usageSchema)
    .query(({ ctx, input }) => usagePerDay(ctx.db, ctx.org.id, input.days)),

  prices: tenantProcedure("task.read").query(({ ctx }) => priceTable(ctx.db, ctx.org.id)),

  setPrice: tenantProcedure("billing.manage")
    .input(modelPriceSchema)
    .mutation(({ ctx, input }) =>
      setModelPrice(
        ctx.db,
        ctx.acting,
        ctx.org.id,
        // Only the price (the input also carries orgSlug).
        {
          model: input.model,
          inputUsdPerMTok: input.inputUsdPerMTok,
          outputUsdPerMTok: input.outputUsdPerMTok,
        },
        ctx.request,
      ),
    ),
});
