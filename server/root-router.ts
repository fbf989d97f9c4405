// Every router of the API, mounted under /api/trpc. Add a feature's router here.
import { accountsRouter } from "./accounts/router.ts";
import { agentsRouter } from "./agents/router.ts";
import { apiKeysRouter } from "./api-keys/router.ts";
import { auditRouter } from "./audit/router.ts";
import { auditSettingsRouter } from "./audit/webhooks/router.ts";
import { createCallerFactory, createTRPCRouter } from "./core/trpc.ts";
import { egressRouter } from "./egress/router.ts";
import { fleetRouter } from "./fleet/router.ts";
import { healthRouter } from "./health/router.ts";
import { invitationsRouter } from "./invitations/router.ts";
import { membersRouter } from "./members/router.ts";
import { organizationsRouter } from "./organizations/router.ts";
import { schedulesRouter } from "./schedules/router.ts";
import { secretsRouter } from "./secrets/router.ts";
import { tasksRouter } from "./tasks/router.ts";

export const appRouter = createTRPCRouter({
  accounts: accountsRouter,
  organizations: organizationsRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  apiKeys: apiKeysRouter,
  agents: agentsRouter,
  fleet: fleetRouter,
  audit: auditRouter,
  auditSettings: auditSettingsRouter,
  secrets: secretsRouter,
  egress: egressRouter,
  tasks: tasksRouter,
  schedules: schedulesRouter,
  health: healthRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
