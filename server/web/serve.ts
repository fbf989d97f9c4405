// The web app's HTTP server: Next.js behind a thin front that decides who the client is.
// `next start` believes any X-Forwarded-For a client sends; this server replaces the header
// with the one address it can vouch for (client-address.ts) before Next sees the request,
// so rate limits, sessions and the audit log record the real client.
//
//   PORT (default 3000), CORRAL_BIND_HOST (default 127.0.0.1),
//   CORRAL_TRUSTED_PROXIES (reverse proxies in front of Corral, IPs or CIDRs; default none),
//   CORRAL_METRICS_PORT / CORRAL_METRICS_HOST (Prometheus /metrics; off unless a port is set)
import { createServer, type IncomingMessage } from "node:http";
import next from "next";
import { describeError } from "../../common/errors.ts";
import { httpRequestSeconds, serveMetrics } from "../../common/metrics.ts";
import { webConfig } from "../core/config.ts";
import { db } from "../db/client.ts";
import { schemaProblem } from "../db/pending-migrations.ts";
import { registerControlPlaneGauges } from "../health/gauges.ts";
import { clientAddress, parseTrustedProxies } from "./client-address.ts";
import { routeKind } from "./route-kind.ts";

function fail(message: string): never {
  console.error(`web: ${message}`);
  process.exit(1);
}

let trusted: ReturnType<typeof parseTrustedProxies>;
try {
  trusted = parseTrustedProxies(process.env.CORRAL_TRUSTED_PROXIES);
} catch (error) {
  fail((error as Error).message);
}
const port = Number(process.env.PORT ?? 3000);
const host = process.env.CORRAL_BIND_HOST ?? "127.0.0.1";
if (!Number.isInteger(port) || port <= 0 || port > 65_535)
  fail(`PORT "${process.env.PORT}" is not a port`);

/** Leaves exactly one X-Forwarded-For entry: the client, as far as the trusted hops tell. */
function settleClientAddress(req: IncomingMessage) {
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

// The configuration and the schema are checked before anything listens, each in one line.
try {
  const problem = await schemaProblem(webConfig().DATABASE_URL);
  if (problem) fail(problem);
} catch (error) {
  fail(describeError(error));
}

const app = next({ dev: false, hostname: host, port, dir: process.cwd() });
await app.prepare();
const handle = app.getRequestHandler();

registerControlPlaneGauges(db(), webConfig().CORRAL_WORKER_DEADLINE_SECONDS);
const requestSeconds = httpRequestSeconds();

const server = createServer((req, res) => {
  settleClientAddress(req);
  const timer = requestSeconds.startTimer({
    method: req.method ?? "GET",
    route: routeKind(req.url),
  });
  res.once("finish", () => timer({ status: String(res.statusCode) }));
  handle(req, res).catch((error: unknown) => {
    console.error(`web: request failed: ${(error as Error).message}`);
    if (!res.headersSent) res.writeHead(500).end("Something went wrong on our side.");
  });
});
server.on("error", (error: NodeJS.ErrnoException) =>
  fail(
    error.code === "EADDRINUSE"
      ? `port ${port} on ${host} is taken; stop what uses it or set PORT`
      : error.message,
  ),
);
server.listen(port, host, () => console.log(`web: listening on http://${host}:${port}`));

const metricsPort = process.env.CORRAL_METRICS_PORT;
if (metricsPort) {
  const metricsHost = process.env.CORRAL_METRICS_HOST ?? "127.0.0.1";
  await serveMetrics(Number(metricsPort), metricsHost).then(
    () => console.log(`web: metrics on http://${metricsHost}:${metricsPort}/metrics`),
    (error: Error) => fail(`metrics port ${metricsPort}: ${error.message}`),
  );
}

// Finish the requests in flight, then exit, when the supervisor says stop.
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  });
