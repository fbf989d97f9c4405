// The worker API on a bare HTTP server, for tests and the benchmark: the same handlers Next
// mounts under /api/worker/v1 (server/fleet/worker-api.ts), without building the web app.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { workerApiBase } from "../common/worker-protocol.ts";
import {
  desired,
  enrol,
  heartbeat,
  report,
  taskControlHandler,
  taskEventsHandler,
  taskNext,
} from "../server/fleet/worker-api.ts";

const routes: Record<string, (req: Request) => Promise<Response>> = {
  "POST enrol": enrol,
  "POST heartbeat": heartbeat,
  "GET desired": desired,
  "POST report": report,
  "POST tasks/next": taskNext,
  "POST tasks/events": taskEventsHandler,
  "GET tasks/control": taskControlHandler,
};

async function toRequest(
  req: IncomingMessage,
  base: string,
  signal: AbortSignal,
): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  return new Request(new URL(req.url ?? "/", base), {
    method: req.method,
    headers,
    signal,
    ...(chunks.length > 0 && { body: Buffer.concat(chunks) }),
  });
}

export async function startWorkerApiServer(
  options: {
    /** Told as each answer leaves (the benchmark times the desired-state long-poll by it). */
    onAnswer?: (route: string) => void;
  } = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  let base = "";
  const server: Server = createServer(async (req, res) => {
    const aborted = new AbortController();
    res.on("close", () => aborted.abort());
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(`${workerApiBase}/`, "");
    const handler = routes[`${req.method} ${path}`];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    try {
      const reply = await handler(await toRequest(req, base, aborted.signal));
      res.writeHead(reply.status, Object.fromEntries(reply.headers));
      res.end(Buffer.from(await reply.arrayBuffer()));
      options.onAnswer?.(`${req.method} ${path}`);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
