// A small round-robin HTTP balancer for `npm run up -- --web-processes N`: each request goes
// to the next web process in turn, streamed both ways (live pages' server-sent events and the
// worker's long-polls pass through as they come). It is the edge here, as a load balancer
// would be: it sets X-Forwarded-For to its peer and X-Request-Id to an id of its own, which
// the web processes believe because up.ts names the balancer as their trusted proxy.
// GET /.balancer/stats answers, from the balancer itself, how many requests of each kind
// (server/web/route-kind.ts, plus "live-stream" for server-sent events) went to each process:
// the two-web browser test reads it to see that every kind was spread.
import { randomUUID } from "node:crypto";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { routeKind } from "../../server/web/route-kind.ts";

export interface Balancer {
  url: string;
  /** Requests sent to each backend, in the order given, by kind of route. */
  counts: Record<string, number>[];
  close: () => Promise<void>;
}

// Hop-by-hop headers belong to one connection, never forwarded (RFC 9110, 7.6.1).
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
]);

export async function startBalancer(options: {
  port: number;
  host: string;
  backends: { host: string; port: number }[];
}): Promise<Balancer> {
  // Idle connections are dropped after 4 s, before the web server's keep-alive timeout (5 s)
  // closes them: reusing one the server is closing would be a 502 now and then.
  const agent = new Agent({ keepAlive: true, timeout: 4000 });
  const counts = options.backends.map((): Record<string, number> => ({}));
  let next = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/.balancer/stats") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(counts));
      return;
    }
    const index = next;
    next = (next + 1) % options.backends.length;
    const kind = req.headers.accept?.includes("text/event-stream")
      ? "live-stream"
      : routeKind(req.url);
    const tally = counts[index] as Record<string, number>;
    tally[kind] = (tally[kind] ?? 0) + 1;
    const backend = options.backends[index] as { host: string; port: number };
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([name]) => !hopByHop.has(name)),
    );
    headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    headers["x-request-id"] = `lb-${randomUUID()}`;
    const upstream = request(
      { ...backend, agent, method: req.method, path: req.url, headers },
      (answer) => {
        const out = Object.fromEntries(
          Object.entries(answer.headers).filter(([name]) => !hopByHop.has(name)),
        );
        res.writeHead(answer.statusCode ?? 502, out);
        // Server-sent events must not wait in a buffer.
        res.flushHeaders();
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("web process unreachable");
    });
    // A client that leaves ends its upstream request too (a closed page's live stream).
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
