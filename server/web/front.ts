// What the web server does with every request before Next sees it, and after it answers:
// decide the client's address and the request's id, time it, and log one line.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BlockList } from "node:net";
import type { Logger } from "../../common/logger.ts";
import { httpRequestSeconds } from "../../common/metrics.ts";
import { decideRequestId, withRequestId } from "../logging/request-id.ts";
import { clientAddress, isTrustedProxy } from "./client-address.ts";
import { loggedPath } from "./logged-path.ts";
import { routeKind } from "./route-kind.ts";

type Handle = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The request's id, set where Next (and request-info.ts) reads it and echoed to the client. */
function settleRequestId(req: IncomingMessage, res: ServerResponse, trusted: BlockList): string {
  const id = decideRequestId(
    req.headers["x-request-id"],
    isTrustedProxy(req.socket.remoteAddress, trusted),
  );
  req.headers["x-request-id"] = id;
  res.setHeader("X-Request-Id", id);
  return id;
}

/** Leaves exactly one X-Forwarded-For entry: the client, as far as the trusted hops tell. */
function settleClientAddress(req: IncomingMessage, trusted: BlockList) {
  const forwarded = req.headers["x-forwarded-for"];
  const client = clientAddress(
    req.socket.remoteAddress,
    Array.isArray(forwarded) ? forwarded.join(",") : forwarded,
    trusted,
  );
  delete req.headers["x-real-ip"];
  if (client) req.headers["x-forwarded-for"] = client;
  else delete req.headers["x-forwarded-for"];
}

/** A request listener that settles who and which request this is, then hands it to `handle`. */
export function front(handle: Handle, options: { trusted: BlockList; log: Logger }) {
  const { trusted, log } = options;
  const requestSeconds = httpRequestSeconds();
  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = settleRequestId(req, res, trusted);
    settleClientAddress(req, trusted);
    const route = routeKind(req.url);
    const started = performance.now();
    const timer = requestSeconds.startTimer({ method: req.method ?? "GET", route });
    res.once("finish", () => timer({ status: String(res.statusCode) }));
    res.once("close", () => {
      const status = res.statusCode;
      // Static files are many and tell little: logged only at debug.
      log[route === "static" ? "debug" : status >= 500 ? "error" : "info"](
        {
          requestId,
          method: req.method,
          path: loggedPath(req.url),
          route,
          status,
          ms: Math.round(performance.now() - started),
          // The client left before the answer was complete (a closed live stream, say).
          ...(!res.writableFinished && { aborted: true }),
        },
        "request",
      );
    });
    withRequestId(requestId, () =>
      handle(req, res).catch((error: unknown) => {
        log.error({ err: error }, "request failed");
        if (!res.headersSent) res.writeHead(500).end("Something went wrong on our side.");
      }),
    );
  };
}
