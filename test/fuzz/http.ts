// Asking a route handler as Next would: a real Request, inside Next's request scope, with
// the route's params, under a deadline (long-polls and streams are let go, not waited out).
import { NextRequest } from "next/server";
import superjson from "superjson";
import { inRequestScope } from "./request-scope.ts";
import { type Answer, readAnswer } from "./responses.ts";

export const origin = "http://localhost:3000";

export type RouteHandler = (
  req: NextRequest,
  props: { params: Promise<Record<string, string | string[]>> },
) => Promise<Response>;

export async function ask(
  handler: RouteHandler,
  url: string,
  init: RequestInit & { params?: Record<string, string | string[]> } = {},
): Promise<Answer> {
  const { params = {}, ...rest } = init;
  const req = new NextRequest(new URL(url, origin), {
    ...rest,
    signal: AbortSignal.timeout(5_000),
    ...(rest.body instanceof ReadableStream && { duplex: "half" }),
  } as ConstructorParameters<typeof NextRequest>[1]);
  let response: Response;
  try {
    response = await inRequestScope(req, () => handler(req, { params: Promise.resolve(params) }));
  } catch (error) {
    // Next answers a handler that throws with a bare 500; the error is what a reader needs.
    const thrown = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { status: 500, contentType: "", body: "", thrown };
  }
  try {
    return await readAnswer(response);
  } catch (error) {
    // The status went out, then the body failed (a stream that errors half-way).
    const thrown = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { status: response.status, contentType: "", body: "", thrown };
  }
}

/** The wire form of a tRPC call through the fetch adapter (superjson, no batching). */
export function trpcCall(
  path: string,
  type: "query" | "mutation" | "subscription",
  input: unknown,
): { url: string; init: RequestInit; sent: string } {
  const wire = input === undefined ? undefined : wireOf(input);
  if (type === "mutation") {
    return {
      url: `/api/trpc/${path}`,
      init: { method: "POST", body: wire ?? "", headers: { "content-type": "application/json" } },
      sent: wire ?? "",
    };
  }
  const query = wire === undefined ? "" : `?input=${encodeURIComponent(wire)}`;
  return { url: `/api/trpc/${path}${query}`, init: { method: "GET" }, sent: wire ?? "" };
}

/** superjson's form; what it refuses to write (a __proto__ key) goes as plain JSON instead. */
function wireOf(input: unknown): string {
  try {
    return JSON.stringify(superjson.serialize(input));
  } catch {
    return JSON.stringify({ json: input }, (_key, value) =>
      typeof value === "bigint" ? value.toString() : value,
    );
  }
}
