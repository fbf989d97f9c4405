// The API's building blocks, read top to bottom:
//   1. the request context (database, session, who is asking),
//   2. the tRPC instance (transformer, error shape),
//   3. the procedure ladder every router builds on:
//        publicProcedure → signedInProcedure → tenantProcedure(permission).
// Touch this file to change what every procedure gets or checks; routers never re-check
// membership or roles by hand.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { currentSession } from "../auth/current-session.ts";
import { can, type Permission } from "../auth/permissions.ts";
import { requestInfo } from "../auth/request-info.ts";
import { db } from "../db/client.ts";
import { DomainError } from "./errors.ts";

// ── 1. Context ──────────────────────────────────────────────────────────────

export async function createContext(opts: { headers: Headers }) {
  return {
    db: db(),
    session: await currentSession(),
    request: requestInfo(opts.headers),
  };
}

export type Context = Awaited<ReturnType<typeof createContext>>;

// ── 2. tRPC instance ────────────────────────────────────────────────────────

export interface ProcedureMeta {
  /** Set by tenantProcedure: the permission a caller's role must grant. */
  permission?: Permission;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error, ctx }) {
      const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
      // Never show internals: an unexpected error becomes a message with a request id.
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      return {
        ...shape,
        message: internal
          ? `Something went wrong on our side (request ${ctx?.request.requestId ?? "unknown"}).`
          : shape.message,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          zodError,
          // The form field a domain rule refused, so the form can show it in place.
          field: error.cause instanceof DomainError ? (error.cause.field ?? null) : null,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

// ── 3. Procedures ───────────────────────────────────────────────────────────

// Domain rules speak in DomainError; the API answers with the matching tRPC code.
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  return result;
});

/** Anyone, signed in or not. For health and sign-in helpers only. */
export const publicProcedure = t.procedure.use(domainErrors);

/** A signed-in person, outside any organisation (their profile, their organisations). */
export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return next({ ctx: { ...ctx, session: ctx.session } });
});

const tenantInput = z.object({ orgSlug: z.string().min(1).max(64) });

/**
 * Inside one organisation, named by `orgSlug` in the input, for a member whose role
 * grants `permission`. Non-members get NOT_FOUND so an organisation's existence is not
 * revealed; members without the permission get FORBIDDEN.
 */
export function tenantProcedure(permission: Permission) {
  return signedInProcedure
    .meta({ permission })
    .input(tenantInput)
    .use(async ({ ctx, input, next }) => {
      const membership = await ctx.db.membership.findFirst({
        where: { userId: ctx.session.user.id, org: { slug: input.orgSlug } },
        include: { org: true },
      });
      if (!membership) {
        throw new TRPCError({ code: "NOT_FOUND", message: "No such organisation." });
      }
      if (!can(membership.role, permission)) {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: `Your role (${membership.role.toLowerCase()}) does not allow ${permission}.`,
        });
      }
      return next({ ctx: { ...ctx, org: membership.org, role: membership.role } });
    });
}
