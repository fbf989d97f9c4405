// For tests: the REST API's real route handlers (app/api/v1/…) behind a plain node HTTP
// server on a free loopback port, each request handed over as Next hands it (a NextRequest,
// inside its request scope, with the route's params), so clients speak real HTTP to the
// real code. Import this module before anything of Next's (request-scope.ts must load first).
import "../../test/fuzz/request-scope.ts";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { NextRequest } from "next/server";
import * as restRoute from "../../app/api/v1/[...path]/route.ts";
import * as openApiRoute from "../../app/api/v1/openapi.json/route.ts";
import * as exportRoute from "../../app/api/v1/orgs/[orgSlug]/audit/export/route.ts";
import { inRequestScope } from "../../test/fuzz/request-scope.ts";

type Handler = (
  req: NextRequest,
  props: { params: Promise<never> },
) => Response | Promise<Response>;

/** The handler Next would pick for this path and method, with its params. */
function route(method: string, pathname: string): { handler?: Handler; params: unknown } {
  if (pathname === "/api/v1/openapi.json") {
    return { handler: method === "GET" ? openApiRoute.GET : undefined, params: {} };
  }
  const exportMatch = pathname.match(/^\/api\/v1\/orgs\/([^/]+)\/audit\/export$/);
  if (exportMatch) {
    return {
      handler: method === "GET" ? (exportRoute.GET as Handler) : undefined,
      params: { orgSlug: decodeURIComponent(exportMatch[1] ?? "") },
    };
  }
  if (pathname.startsWith("/api/v1/")) {
    const handler = (restRoute as Record<string, unknown>)[method] as Handler | undefined;
    return { handler, params: { path: pathname.slice("/api/v1/".length).split("/") } };
  }
  return { params: {} };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, origin: string) {
  const url = new URL(req.url ?? "/", origin);
  let found: ReturnType<typeof route>;
  try {
    found = route(req.method ?? "GET", url.pathname);
  } catch (error) {
    if (!(error instanceof URIError)) throw error;
    // Next refuses a path it cannot decode before any handler runs.
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: "The path is not validly percent-encoded." }));
    return;
  }
  const { handler, params } = found;
  if (!handler) {
    res.writeHead(405).end();
    return;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const request = new NextRequest(url, { method: req.method, headers, body });
  const response = await inRequestScope(request, async () =>
    handler(request, { params: Promise.resolve(params as never) }),
  );
  res.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) {
    res.end();
    return;
  }
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), res);
}

export interface RestTestServer {
  url: string;
  close: () => Promise<void>;
}

export async function startRestTestServer(): Promise<RestTestServer> {
  let origin = "";
  const server = http.createServer((req, res) => {
    serve(req, res, origin).catch((error: unknown) => {
      // A handler that throws is what Next would answer with a bare 500; say why here.
      console.error("rest test server:", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
