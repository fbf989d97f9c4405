// Serving the REST procedures (router.ts) over HTTP: find the procedure by method and path,
// read its input from the path, the query string or the JSON body, call it, answer JSON.
// trpc-to-openapi generates the document; its request handler is not used because it turns
// coercion on, in place, in the zod schemas it is given — schemas the web's procedures share
// (agents.create's `start` would then take the text "false" as true), and it regenerates
// the document on every request outside production.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { z } from "zod";
import { describeError } from "../../common/errors.ts";
import { authenticateApiKey, bearerApiKey } from "../api-keys/authenticate.ts";
import { requestInfo } from "../auth/request-info.ts";
import { BodyTooLarge, readCapped } from "../core/capped-body.ts";
import { unstorableTextIn, unstorableTextMessage } from "../core/text.ts";
import { type Context, describeIssues } from "../core/trpc.ts";
import { db } from "../db/client.ts";
import { webLogger } from "../logging/logger.ts";
import { restBasePath, restRouter } from "./router.ts";

/** The largest body accepted: a task's files (5 MiB) as base64, with room for the rest. */
export const maxRestBodyBytes = 8 * 1024 * 1024;

type Call = (input: unknown) => Promise<unknown>;

interface Endpoint {
  method: string;
  pattern: RegExp;
  call: (caller: Record<string, Call>, input: unknown) => Promise<unknown>;
}

let endpoints: Endpoint[] | undefined;

/** Each REST procedure's method and path, as a pattern with its path parameters named. */
function restEndpoints(): Endpoint[] {
  endpoints ??= Object.entries(restRouter._def.procedures).flatMap(([name, procedure]) => {
    const openapi = (
      procedure as { _def: { meta?: { openapi?: { method: string; path: string } } } }
    )._def.meta?.openapi;
    if (!openapi) return [];
    const source = openapi.path
      .split("/")
      .map((part) => {
        const param = part.match(/^\{(\w+)\}$/);
        return param ? `(?<${param[1]}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    return [
      {
        method: openapi.method,
        pattern: new RegExp(`^${source}$`),
        call: (caller, input) => (caller[name] as Call)(input),
      },
    ];
  });
  return endpoints;
}

/** A refusal before any procedure ran, with the status that says why. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

const codeOfStatus: Record<number, string> = {
  400: "BAD_REQUEST",
  404: "NOT_FOUND",
  405: "METHOD_NOT_SUPPORTED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/** The body as text, refusing more than the limit whatever Content-Length claims. */
async function readBody(req: Request): Promise<string> {
  try {
    return await readCapped(req, maxRestBodyBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    throw new Refusal(413, `The body is larger than ${maxRestBodyBytes / 1024 / 1024} MiB.`);
  }
}

/** A POST's JSON object (no body at all counts as an empty one). */
async function bodyInput(req: Request): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  // A POST with nothing to say (start, stop) needs neither a body nor its type.
  if (text.trim() === "") return {};
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new Refusal(415, "Send the body as JSON (Content-Type: application/json).");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Refusal(400, "The body is not valid JSON.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Refusal(400, "The body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

/** Query parameters as text (a repeated one keeps its first value). */
function queryInput(url: URL): Record<string, string> {
  const input: Record<string, string> = {};
  for (const [key, value] of url.searchParams) input[key] ??= value;
  return input;
}

function pathInput(groups: Record<string, string> | undefined): Record<string, string> {
  try {
    return Object.fromEntries(
      Object.entries(groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)]),
    );
  } catch {
    throw new Refusal(400, "The path is not validly percent-encoded.");
  }
}

/** The caller as the REST API knows them: an API key, or nobody (no browser sessions). */
async function restContext(headers: Headers, request: Context["request"]): Promise<Context> {
  const database = db();
  const secret = bearerApiKey(headers.get("authorization"));
  return {
    db: database,
    session: null,
    apiKey: secret ? await authenticateApiKey(database, secret) : null,
    request,
  };
}

/** A procedure's refusal as the answer's body: `message`, `code` and, for input, `issues`. */
function refusalBody(error: TRPCError, requestId: string) {
  if (error.code === "INTERNAL_SERVER_ERROR") {
    return {
      message: `Something went wrong on our side (request ${requestId}).`,
      code: error.code,
    };
  }
  if (error.cause instanceof z.ZodError) {
    return {
      message: describeIssues(error.cause),
      code: error.code,
      issues: error.cause.issues.map((issue) => ({
        path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
        message: issue.message,
      })),
    };
  }
  return { message: error.message, code: error.code };
}

/** Answers one request under /api/v1 (the document itself is served by its own route). */
export async function handleRestRequest(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const path = url.pathname.slice(restBasePath.length).replace(/\/+$/, "") || "/";
  const matching = restEndpoints()
    .map((endpoint) => ({ endpoint, match: endpoint.pattern.exec(path) }))
    .filter((m) => m.match);
  const found = matching.find((m) => m.endpoint.method === req.method);
  const request = requestInfo(req.headers);
  const requestId = request.requestId ?? "unknown";
  try {
    if (!found) {
      if (matching.length === 0) {
        throw new Refusal(404, `No such endpoint: ${req.method} ${url.pathname.slice(0, 200)}.`);
      }
      const allow = matching.map((m) => m.endpoint.method).join(", ");
      throw new Refusal(405, `Use ${allow} here.`, { allow });
    }
    const fromRequest = found.endpoint.method === "GET" ? queryInput(url) : await bodyInput(req);
    const input = { ...fromRequest, ...pathInput(found.match?.groups) };
    const unstorable = unstorableTextIn(input);
    if (unstorable) throw new Refusal(400, unstorableTextMessage(unstorable));

    const ctx = await restContext(req.headers, request);
    const caller = restRouter.createCaller(ctx) as unknown as Record<string, Call>;
    const data = await found.endpoint.call(caller, input);
    return json(200, data, { "x-request-id": requestId });
  } catch (cause) {
    if (cause instanceof Refusal) {
      return json(
        cause.status,
        { message: cause.message, code: codeOfStatus[cause.status] ?? "BAD_REQUEST" },
        { ...cause.headers, "x-request-id": requestId },
      );
    }
    const error =
      cause instanceof TRPCError
        ? cause
        : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: cause as Error });
    if (error.code === "INTERNAL_SERVER_ERROR") {
      // By message only: inputs may hold secrets.
      webLogger().error(
        `rest: request ${requestId} failed: ${describeError(error.cause ?? error)}`,
      );
    }
    return json(getHTTPStatusCodeFromError(error), refusalBody(error, requestId), {
      "x-request-id": requestId,
    });
  }
}
