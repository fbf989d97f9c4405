// One load scenario: autocannon against one or more web processes for a while (or a number
// of requests), with credentials and client addresses taken in turn, measuring every
// response's latency and the servers' CPU time.
import autocannon from "autocannon";
import { percentile } from "../stats.ts";
import type { WebServer } from "./web-server.ts";

export interface ScenarioOptions {
  path: string;
  seconds: number;
  connections: number;
  method?: "GET" | "POST";
  /** Header sets (a session cookie, an API key) used in turn, one per request. */
  credentials?: Record<string, string>[];
  /** A fresh body per request (writes). */
  body?: () => string;
  /** Stop after this many requests instead of after `seconds`. */
  amount?: number;
}

export interface RunResult {
  name: string;
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  /** Failed connections, timeouts and answers other than 2xx. */
  errors: number;
  cpuMsPerRequest: number | null;
  /** The first refused answer, to say why errors happened. */
  firstError?: string;
  latencies: number[];
}

let turn = 0;
const round = (ms: number) => Math.round(ms * 100) / 100;

function load(
  server: WebServer,
  options: ScenarioOptions,
  connections: number,
  latencies: number[],
  refused: string[],
) {
  const credentials = options.credentials ?? [{}];
  const opts: autocannon.Options = {
    url: `http://127.0.0.1:${server.port}`,
    connections,
    ...(options.amount
      ? { amount: Math.max(1, Math.round(options.amount / connections)) * connections }
      : { duration: options.seconds }),
    timeout: 30,
    requests: [
      {
        method: options.method ?? "GET",
        path: options.path,
        setupRequest(request) {
          const n = turn++;
          const headers: Record<string, string> = {
            ...credentials[n % credentials.length],
            "x-forwarded-for": `10.77.${(n >> 8) & 255}.${n & 255}`,
          };
          if (!options.body) return { ...request, headers };
          headers["content-type"] = "application/json";
          return { ...request, headers, body: options.body() };
        },
        onResponse(status, body) {
          if (status >= 400 && refused.length === 0)
            refused.push(`${status} ${body.slice(0, 200)}`);
        },
      },
    ],
  };
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

export async function runScenario(
  target: WebServer | WebServer[],
  name: string,
  options: ScenarioOptions,
): Promise<RunResult> {
  const servers = Array.isArray(target) ? target : [target];
  const latencies: number[] = [];
  const refused: string[] = [];
  const cpuBefore = servers.map((s) => s.cpuMs());
  const started = performance.now();
  const each = Math.max(1, Math.round(options.connections / servers.length));
  const results = await Promise.all(servers.map((s) => load(s, options, each, latencies, refused)));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = servers.reduce((n, s, i) => n + s.cpuMs() - (cpuBefore[i] ?? 0), 0);
  const errors = results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0);
  const requests = latencies.length;
  return {
    name,
    connections: each * servers.length,
    requests,
    rps: requests / elapsed,
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    errors,
    cpuMsPerRequest: requests > 0 ? cpu / requests : null,
    ...(refused[0] && { firstError: refused[0] }),
    latencies,
  };
}
