import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createContext } from "@/server/core/trpc.ts";
import { appRouter } from "@/server/root-router.ts";

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createContext({ headers: req.headers }),
    onError({ error, ctx }) {
      if (error.code === "INTERNAL_SERVER_ERROR") {
        // Logged by message only: inputs may hold secrets.
        console.error(`trpc: request ${ctx?.request.requestId ?? "?"} failed: ${error.message}`);
      }
    },
  });
}

export { handler as GET, handler as POST };
