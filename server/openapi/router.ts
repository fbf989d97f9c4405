// The public REST API (under /api/v1), one procedure per endpoint. Each endpoint calls the
// procedure the web app calls (through a caller of the app router with the request's
// context), so the same ladder applies unchanged: tenant scope, role permission, the API
// key's scopes, row-level security and the audit event of every change. What these add
// is the REST face: a method and path (meta.openapi), inputs shaped for a URL (path and
// query parameters) from the same zod schemas, and a public output shape (shapes.ts). The
// OpenAPI document (document.ts) is generated from these procedures.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createAgentSchema } from "../agents/schemas.ts";
import { auditFilterSchema } from "../audit/filters.ts";
import { createTRPCRouter, publicProcedure } from "../core/trpc.ts";
import { createCaller } from "../root-router.ts";
import { createTaskSchema, listTasksSchema } from "../tasks/schemas.ts";
import {
  agentListShape,
  agentShape,
  auditPageShape,
  memberShape,
  publicAgent,
  publicAuditEvent,
  taskDetailShape,
  taskShape,
} from "./shapes.ts";

/** Where the REST API is mounted; the paths below are relative to it. */
export const restBasePath = "/api/v1";

// Path parameters, bounded as the procedures bound them.
const orgSlug = z.string().min(1).max(64).meta({ description: "The organisation's slug" });
const agentId = z.string().min(1).max(64);
const taskId = z.string().min(1).max(64);
const inOrg = z.object({ orgSlug });

// Query strings carry text: numbers are read from it here (new schemas, so nothing the
// web's procedures use is changed); the procedure then checks the value with its own.
const pageLimit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** An endpoint of the REST API: API-key callers, JSON in and out. */
const rest = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.apiKey) {
    throw new TRPCError({
      code: "UNAUTHORIZED",
      message: "Send a valid API key as `Authorization: Bearer crl_…` (make one under API keys).",
    });
  }
  return next();
});

const tags = { agents: ["agents"], tasks: ["tasks"], audit: ["audit"], members: ["members"] };
// Answers every endpoint may give besides 200 (the document lists them).
const refusals = {
  400: "The input was refused; `message` says which field and why",
  401: "No API key, or one that is revoked or expired",
  403: "The key's scopes or its maker's role do not allow this",
  404: "No such organisation (or not the key's), or no such record in it",
};

export const restRouter = createTRPCRouter({
  listAgents: rest
    .meta({
      openapi: {
        method: "GET",
        path: "/orgs/{orgSlug}/agents",
        summary: "List the organisation's agents",
        tags: tags.agents,
        errorResponses: refusals,
      },
    })
    .input(inOrg)
    .output(agentListShape)
    .query(async ({ ctx, input }) => {
      const { agents, sandbox } = await createCaller(ctx).agents.list(input);
      return { agents: agents.map(publicAgent), sandbox };
    }),

  getAgent: rest
    .meta({
      openapi: {
        method: "GET",
        path: "/orgs/{orgSlug}/agents/{agentId}",
        summary: "One agent",
        tags: tags.agents,
        errorResponses: refusals,
      },
    })
    .input(inOrg.extend({ agentId }))
    .output(agentShape)
    .query(async ({ ctx, input }) => {
      const agent = await createCaller(ctx).agents.get(input);
      if (!agent) throw new TRPCError({ code: "NOT_FOUND", message: "No such agent." });
      return publicAgent(agent);
    }),

  createAgent: rest
    .meta({
      openapi: {
        method: "POST",
        path: "/orgs/{orgSlug}/agents",
        summary: "Create an agent (and start it with `start: true`)",
        tags: tags.agents,
        errorResponses: { ...refusals, 409: "An agent of that name exists, or a quota is full" },
      },
    })
    .input(createAgentSchema.extend({ orgSlug }))
    .output(agentShape)
    .mutation(async ({ ctx, input }) => publicAgent(await createCaller(ctx).agents.create(input))),

  startAgent: rest
    .meta({
      openapi: {
        method: "POST",
        path: "/orgs/{orgSlug}/agents/{agentId}/start",
        summary: "Ask for the agent to run",
        tags: tags.agents,
        errorResponses: refusals,
      },
    })
    .input(inOrg.extend({ agentId }))
    .output(agentShape)
    .mutation(async ({ ctx, input }) =>
      publicAgent(await createCaller(ctx).agents.command({ ...input, command: "start" })),
    ),

  stopAgent: rest
    .meta({
      openapi: {
        method: "POST",
        path: "/orgs/{orgSlug}/agents/{agentId}/stop",
        summary: "Ask for the agent to stop",
        tags: tags.agents,
        errorResponses: refusals,
      },
    })
    .input(inOrg.extend({ agentId }))
    .output(agentShape)
    .mutation(async ({ ctx, input }) =>
      publicAgent(await createCaller(ctx).agents.command({ ...input, command: "stop" })),
    ),

  listTasks: rest
    .meta({
      openapi: {
        method: "GET",
        path: "/orgs/{orgSlug}/tasks",
        summary: "Task history, newest first",
        tags: tags.tasks,
        errorResponses: refusals,
      },
    })
    .input(listTasksSchema.extend({ orgSlug, limit: pageLimit(200, 50) }))
    .output(z.object({ tasks: z.array(taskShape) }))
    .query(async ({ ctx, input }) => ({ tasks: await createCaller(ctx).tasks.list(input) })),

  createTask: rest
    .meta({
      openapi: {
        method: "POST",
        path: "/orgs/{orgSlug}/tasks",
        summary: "Give an agent a task",
        tags: tags.tasks,
        errorResponses: refusals,
      },
    })
    .input(createTaskSchema.extend({ orgSlug }))
    .output(taskDetailShape)
    .mutation(async ({ ctx, input }) => {
      const caller = createCaller(ctx);
      const task = await caller.tasks.create(input);
      return caller.tasks.get({ orgSlug: input.orgSlug, taskId: task.id });
    }),

  getTask: rest
    .meta({
      openapi: {
        method: "GET",
        path: "/orgs/{orgSlug}/tasks/{taskId}",
        summary: "One task with its result",
        tags: tags.tasks,
        errorResponses: refusals,
      },
    })
    .input(inOrg.extend({ taskId }))
    .output(taskDetailShape)
    .query(({ ctx, input }) => createCaller(ctx).tasks.get(input)),

  listAuditEvents: rest
    .meta({
      openapi: {
        method: "GET",
        path: "/orgs/{orgSlug}/audit/events",
        summary: "The audit log, newest first, filtered",
        description:
          "Pages by `cursor` (the `nextCursor` of the previous page). For a whole export " +
          "as CSV or NDJSON, stream GET /api/orgs/{orgSlug}/audit/export.",
        tags: tags.audit,
        errorResponses: refusals,
      },
    })
    .input(
      auditFilterSchema.extend({
        orgSlug,
        cursor: z.coerce.number().int().positive().optional(),
        limit: pageLimit(200, 50),
      }),
    )
    .output(auditPageShape)
    .query(async ({ ctx, input }) => {
      const { orgSlug, cursor, limit, ...filters } = input;
      const page = await createCaller(ctx).audit.list({ orgSlug, cursor, limit, filters });
      return { events: page.events.map(publicAuditEvent), nextCursor: page.nextCursor };
    }),

  listMembers: rest
    .meta({
      openapi: {
        method: "GET",
        path: "/orgs/{orgSlug}/members",
        summary: "The organisation's members and their roles",
        tags: tags.members,
        errorResponses: refusals,
      },
    })
    .input(inOrg)
    .output(z.object({ members: z.array(memberShape) }))
    .query(async ({ ctx, input }) => ({ members: await createCaller(ctx).members.list(input) })),
});

export type RestRouter = typeof restRouter;
