// The web app's HTTP server: Next.js behind a thin front that decides who the client is.
// `next start` believes any X-Forwarded-For a client sends; this server replaces the header
// with the one address it can vouch for (client-address.ts) before Next sees the request,
// so rate limits, sessions and the audit log record the real client. Likewise the request
// id: a trusted proxy's X-Request-Id, or a new one; it is echoed in the answer, carried by
// every log line written meanwhile and recorded on the audit events the request writes.
// Logs: JSON lines by pino (common/logger.ts), one per request served.
//
//   PORT (default 3000), CORRAL_BIND_HOST (default 127.0.0.1),
//   CORRAL_TRUSTED_PROXIES (reverse proxies in front of Corral, IPs or CIDRs; default none),
//   CORRAL_METRICS_PORT / CORRAL_METRICS_HOST (Prometheus /metrics; off unless a port is set)
import { createServer } from "node:http";
import next from "next";
import { describeError } from "../../common/errors.ts";
import { serveMetrics } from "../../common/metrics.ts";
import { webConfig } from "../core/config.ts";
import { db } from "../db/client.ts";
import { schemaProblem } from "../db/pending-migrations.ts";
import { registerControlPlaneGauges } from "../health/gauges.ts";
import { webLogger } from "../logging/logger.ts";
import { parseTrustedProxies } from "./client-address.ts";
import { front } from "./front.ts";

// Refusals to start stay one plain line on stderr, whatever the log format: it is what an
// operator (or an orchestrator's event) shows.
function fail(message: string): never {
  console.error(`web: ${message}`);
  process.exit(1);
}
const log = webLogger();

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

const server = createServer(front(handle, { trusted, log }));
server.on("error", (error: NodeJS.ErrnoException) =>
  fail(
    error.code === "EADDRINUSE"
      ? `port ${port} on ${host} is taken; stop what uses it or set PORT`
      : error.message,
  ),
);
server.listen(port, host, () => log.info(`listening on http://${host}:${port}`));

const metricsPort = process.env.CORRAL_METRICS_PORT;
if (metricsPort) {
  const metricsHost = process.env.CORRAL_METRICS_HOST ?? "127.0.0.1";
  await serveMetrics(Number(metricsPort), metricsHost).then(
    () => log.info(`metrics on http://${metricsHost}:${metricsPort}/metrics`),
    (error: Error) => fail(`metrics port ${metricsPort}: ${error.message}`),
  );
}

// Finish the requests in flight, then exit, when the supervisor says stop.
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  });
