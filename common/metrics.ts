// Prometheus metrics of one process (web, job runner or worker), served on a port of its own
// (`serveMetrics`) so scraping never competes with, or is exposed like, the app itself.
// common/ holds what the control plane and the worker both import.
// The registry lives on globalThis: in the web process the custom server and the code Next
// bundled are separate module graphs, and both must count into the same series.
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

const globalKey = Symbol.for("corral.metrics.registry");
const holder = globalThis as unknown as { [globalKey]?: Registry };

export function metricsRegistry(): Registry {
  holder[globalKey] ??= new Registry();
  return holder[globalKey];
}

/** One metric per name per process, whichever module graph asks first makes it. */
function once<T>(name: string, make: (registers: Registry[]) => T): T {
  const registry = metricsRegistry();
  return (registry.getSingleMetric(name) as T | undefined) ?? make([registry]);
}

export const httpRequestSeconds = () =>
  once(
    "corral_http_request_duration_seconds",
    (registers) =>
      new Histogram({
        name: "corral_http_request_duration_seconds",
        help: "Web requests, by method, kind of route and status code.",
        labelNames: ["method", "route", "status"] as const,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      }),
  );

export const auditAppendSeconds = () =>
  once(
    "corral_audit_append_duration_seconds",
    (registers) =>
      new Histogram({
        name: "corral_audit_append_duration_seconds",
        help: "Time to append a batch of audit events to their chains (lock, head, insert).",
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        registers,
      }),
  );

export const reconcileSeconds = () =>
  once(
    "corral_reconcile_duration_seconds",
    (registers) =>
      new Histogram({
        name: "corral_reconcile_duration_seconds",
        help: "One pass of the worker's reconcile loop.",
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
        registers,
      }),
  );

export const reconcileErrors = () =>
  once(
    "corral_reconcile_errors_total",
    (registers) =>
      new Counter({
        name: "corral_reconcile_errors_total",
        help: "Reconcile steps that failed (each is retried on the next pass).",
        registers,
      }),
  );

export const egressDecisions = () =>
  once(
    "corral_gateway_requests_total",
    (registers) =>
      new Counter({
        name: "corral_gateway_requests_total",
        help: "Requests the egress gateway decided, by outcome (allowed or denied).",
        labelNames: ["outcome"] as const,
        registers,
      }),
  );

/** The worker's series, made at start so a scrape shows them (at zero) before any event. */
export function registerWorkerMetrics() {
  reconcileSeconds();
  reconcileErrors();
  const decisions = egressDecisions();
  for (const outcome of ["allowed", "denied"]) decisions.inc({ outcome }, 0);
}

/** A gauge whose values are read when Prometheus scrapes (e.g. counts from the database). */
export function scrapedGauge<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  read: () => Promise<{ labels: Record<L, string>; value: number }[]>,
) {
  return once(
    name,
    (registers) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        async collect() {
          this.reset();
          for (const { labels, value } of await read()) this.set(labels, value);
        },
      }),
  );
}

/** Serves GET /metrics of this process's registry; nothing else. */
export function serveMetrics(port: number, host: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Only GET /metrics here.\n");
      return;
    }
    try {
      const body = await metricsRegistry().metrics();
      res.writeHead(200, { "content-type": metricsRegistry().contentType }).end(body);
    } catch (error) {
      res
        .writeHead(503, { "content-type": "text/plain" })
        .end(`metrics unavailable: ${(error as Error).message}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
