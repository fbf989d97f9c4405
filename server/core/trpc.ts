// The API's building blocks, read top to bottom:
//   1. the request context (database, session, who is asking),
//   2. the tRPC instance (transformer, error shape),
//   3. the procedure ladder every router builds on:
//        publicProcedure → signedInProcedure → tenantProcedure(permission).
// Touch this file to change what every procedure gets or checks; routers never re-check
// membership or roles by hand.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { z } from "zod";
import { DomainError } from "../../common/errors.ts";
import {
  type AuthenticatedKey,
  authenticateApiKey,
  bearerApiKey,
} from "../api-keys/authenticate.ts";
import type { AuditRequest } from "../audit/record.ts";
import { currentSession } from "../auth/current-session.ts";
import type { Permission } from "../auth/permissions.ts";
import { requestInfo } from "../auth/request-info.ts";
import type { ValidSession } from "../auth/sessions.ts";
import { type Db, db, isProcessDb } from "../db/client.ts";
import { scopedDb } from "../db/tenant-scope.ts";
import { changesSettled } from "./read-cache.ts";
import { guardStream } from "./stream-guard.ts";
import { resolveTenantAccess } from "./tenant-access.ts";

// ── 1. Context ──────────────────────────────────────────────────────────────

export interface Context {
  db: Db;
  /** The signed-in browser session, if the request came with one. */
  session: ValidSession | null;
  /** The API key, if the request came with `Authorization: Bearer crl_…`. */
  apiKey?: AuthenticatedKey | null;
  request: Required<AuditRequest>;
}

export async function createContext(opts: { headers: Headers }): Promise<Context> {
  const database = db();
  const secret = bearerApiKey(opts.headers.get("authorization"));
  return {
    db: database,
    session: secret ? null : await currentSession(),
    apiKey: secret ? await authenticateApiKey(database, secret) : null,
    request: requestInfo(opts.headers),
  };
}

// ── 2. tRPC instance ────────────────────────────────────────────────────────

export type ProcedureMeta = {
  /** Set by tenantProcedure: the permission a caller's role must grant. */
  permission?: Permission;
  /** Where the public REST API serves the procedure (server/openapi): method and path. */
  openapi?: OpenApiMeta["openapi"];
};

/** A refused input in words: "name: Use at least 2 characters (and 1 more problem)". */
export function describeIssues(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (!first) return "The input was refused.";
  const where = first.path.length > 0 ? `${first.path.join(".")}: ` : "";
  const more =
    rest.length === 0 ? "" : ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})`;
  return `${where}${first.message}${more}`;
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
          : error.cause instanceof z.ZodError
            ? describeIssues(error.cause)
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

// A mutation answers only once its changes have reached this process's in-memory reads
// (read-cache.ts), so the caller's next request never sees the world before its own write.
const settleChanges = t.middleware(async ({ ctx, type, next }) => {
  const result = await next();
  if (type === "mutation" && isProcessDb(ctx.db))
    await changesSettled(ctx.db).catch(() => undefined);
  return result;
});

/** Anyone, signed in or not. For health and sign-in helpers only. */
export const publicProcedure = t.procedure.use(domainErrors).use(settleChanges);

/** A signed-in person, outside any organisation (their profile, their organisations). */
export const signedInProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session) {
    const message = ctx.apiKey
      ? "API keys work only on organisation endpoints; this one needs a signed-in session."
      : "Sign in to continue.";
    throw new TRPCError({ code: "UNAUTHORIZED", message });
  }
  return next({ ctx: { ...ctx, session: ctx.session } });
});

/**
 * A deployment operator (User.isOperator): the fleet of worker hosts, enrolment, cordon and
 * drain. Sessions only; API keys belong to one organisation and never reach these.
 */
export const operatorProcedure = signedInProcedure.use(async ({ ctx, next }) => {
  const user = await ctx.db.user.findUnique({
    where: { id: ctx.session.user.id },
    select: { isOperator: true },
  });
  if (!user?.isOperator)
    throw new TRPCError({
      code: "FORBIDDEN",
      message: "Only operators of this deployment can do this.",
    });
  return next({
    ctx: {
      ...ctx,
      operator: { type: "USER" as const, id: ctx.session.user.id, name: ctx.session.user.email },
    },
  });
});

const tenantInput = z.object({ orgSlug: z.string().min(1).max(64) });

/**
 * Inside one organisation, named by `orgSlug` in the input, for a member whose role grants
 * `permission` — signed in, or through an API key of theirs scoped for it (see
 * tenant-access.ts). The check runs before the rest of the input is parsed, and again every
 * few seconds for as long as a subscription streams (stream-guard.ts).
 */
export function tenantProcedure(permission: Permission) {
  return publicProcedure
    .meta({ permission })
    .input(tenantInput)
    .use(async ({ ctx, input, next, type }) => {
      const access = await resolveTenantAccess(ctx, input.orgSlug, permission);
      // From here on the database itself shows only this organisation's rows (RLS).
      const tenantDb = scopedDb(ctx.db, access.org.id);
      const result = await next({ ctx: { ...ctx, ...access, db: tenantDb } });
      if (type !== "subscription" || !result.ok) return result;
      const stream = result.data as AsyncIterable<unknown>;
      return { ...result, data: guardStream(stream, ctx, { orgSlug: input.orgSlug, permission }) };
    });
}
