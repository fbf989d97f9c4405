// Platform status for signed-in people: the same report as GET /api/health.
import { webConfig } from "../core/config.ts";
import { createTRPCRouter, signedInProcedure } from "../core/trpc.ts";
import { checkHealth } from "./health.ts";

export const healthRouter = createTRPCRouter({
  status: signedInProcedure.query(({ ctx }) =>
    checkHealth(ctx.db, webConfig().CORRAL_WORKER_DEADLINE_SECONDS),
  ),
});
