import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createContext } from "@/server/core/trpc.ts";
import { appRouter } from "@/server/root-router.ts";

/**
 * Where the input holds the NUL character, which PostgreSQL cannot store in text (it
 * refuses the statement, which would surface as a 500): "name", "hosts.0", or null.
 * Walked without recursion, so no nesting is too deep for it.
 */
function nulIn(input: unknown): string | null {
  const stack: [unknown, string][] = [[input, ""]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, at] = item;
    if (typeof value === "string" && value.includes("\u0000")) return at || "input";
    if (value === null || typeof value !== "object") continue;
    for (const [key, inner] of Object.entries(value)) {
      const path = at ? `${at}.${key}` : key;
      if (key.includes("\u0000")) return path;
      stack.push([inner, path]);
    }
  }
  return null;
}

/**
 * A call's input as the procedure will see it. JSON that does not parse is left for the
 * procedure to refuse (its message says where); input that parses but that superjson cannot
 * read is refused here in words, not with the JavaScript error it raised (a malformed `meta`
 * can exhaust the stack: "Maximum call stack size exceeded").
 */
async function readableInput(call: { getRawInput: () => Promise<unknown> }): Promise<unknown> {
  try {
    return await call.getRawInput();
  } catch (error) {
    if (error instanceof TRPCError && error.cause instanceof SyntaxError) return null;
    throw new TRPCError({
      code: "BAD_REQUEST",
      message: 'The input could not be read: send JSON as superjson writes it ({"json": …}).',
    });
  }
}

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    async createContext({ info }) {
      for (const call of info.calls) {
        const at = nulIn(await readableInput(call));
        if (at) {
          throw new TRPCError({
            code: "BAD_REQUEST",
            message: `Text cannot contain the NUL character (\\u0000); found in ${at.slice(0, 100)}.`,
          });
        }
      }
      return createContext({ headers: req.headers });
    },
    onError({ error, ctx }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        // Logged by message only: inputs may hold secrets.
        console.error(`trpc: request ${ctx?.request.requestId ?? "?"} failed: ${error.message}`);
      }
    },
  });
}

export { handler as GET, handler as POST };
