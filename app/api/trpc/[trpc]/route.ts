import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { unstorableTextIn, unstorableTextMessage } from "@/server/core/text.ts";
import { createContext } from "@/server/core/trpc.ts";
import { webLogger } from "@/server/logging/logger.ts";
import { appRouter } from "@/server/root-router.ts";

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
    // Runs before any procedure: input the database could not store is refused here.
    async createContext({ info }) {
      for (const call of info.calls) {
        const at = unstorableTextIn(await readableInput(call));
        if (at) throw new TRPCError({ code: "BAD_REQUEST", message: unstorableTextMessage(at) });
      }
      return createContext({ headers: req.headers });
    },
    onError({ error, ctx, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        // Logged by message only: inputs may hold secrets.
        webLogger().error(
          { requestId: ctx?.request.requestId },
          `trpc: ${path ?? "?"} failed: ${error.message}`,
        );
      }
    },
  });
}

export { handler as GET, handler as POST };
