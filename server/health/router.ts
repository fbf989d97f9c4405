// Platform status: a summary for signed-in people (the same as GET /api/health), and the
// whole report (hosts, versions, database errors) for operators.
import { webConfig } from "../core/config.ts";
import {
  createTRPCRouter,
  operatorProcedure,
  publicProcedure,
  signedInProcedure,
} from "../core/trpc.ts";
import { checkHealth, summarizeHealth } from "./health.ts";

export const healthRouter = createTRPCRouter({
  /** The cheapest procedure there is: the baseline the load benchmark compares routes to. */
  ping: publicProcedure.query(() => "pong" as const),
  status: signedInProcedure.query(async ({ ctx }) =>
    summarizeHealth(await checkHealth(ctx.db, webConfig().CORRAL_WORKER_DEADLINE_SECONDS)),
  ),
  detail: operatorProcedure.query(({ ctx }) =>
    checkHealth(ctx.db, webConfig().CORRAL_WORKER_DEADLINE_SECONDS),
  ),
});
