// Test helpers for the gateway: loopback upstreams (HTTP, and HTTPS with a CA of the test's
// own) that echo what they receive, a streaming endpoint, and a client that speaks the proxy
// protocol over the tenant's socket exactly as an agent's HTTP library would.
import { mkdtemp } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import type { DesiredAgent, DesiredSandbox } from "../../common/worker-protocol.ts";
import { TenantCa } from "./tenant-ca.ts";

export interface Upstream {
  port: number;
  /** Requests received: method, url and headers. */
  seen: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close: () => Promise<void>;
}

/** Echoes the request as JSON; `/stream` sends two events 400 ms apart (server-sent events). */
function handler(seen: Upstream["seen"]): http.RequestListener {
  return (req, res) => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    if (req.url?.startsWith("/stream")) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.write("data: first\n\n");
      setTimeout(() => res.end("data: second\n\n"), 400);
      return;
    }
    const body = JSON.stringify({ method: req.method, url: req.url, headers: req.headers });
    res.writeHead(200, {
      "content-type": "application/json",
      "x-echo-key": String(req.headers["x-api-key"] ?? ""),
    });
    res.end(body);
  };
}

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const closer = (server: http.Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

export async function httpUpstream(): Promise<Upstream> {
  const seen: Upstream["seen"] = [];
  const server = http.createServer(handler(seen));
  return { port: await listen(server), seen, close: closer(server) };
}

/** An HTTPS upstream for `localhost`, signed by a CA whose certificate is returned. */
export async function httpsUpstream(): Promise<Upstream & { caPem: string }> {
  const seen: Upstream["seen"] = [];
  const ca = await TenantCa.load(
    await mkdtemp(path.join(tmpdir(), "corral-upstream-ca-")),
    "upstream",
  );
  const context = await ca.contextFor("localhost");
  const server = https.createServer(
    { SNICallback: (_name, callback) => callback(null, context) },
    handler(seen),
  );
  return { port: await listen(server), seen, close: closer(server), caPem: ca.certificatePem };
}

export const proxyAuth = (agentId: string, token: string) =>
  `Basic ${Buffer.from(`${agentId}:${token}`).toString("base64")}`;

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function collect(res: http.IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks).toString(),
      }),
    );
    res.on("error", reject);
  });
}

/** A plain-HTTP request through the gateway socket (absolute-form). */
export function viaProxy(
  socketPath: string,
  url: string,
  options: { auth?: string; method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath,
      agent: false,
      path: url,
      method: options.method ?? "GET",
      headers: {
        host: new URL(url).host,
        ...(options.auth && { "proxy-authorization": options.auth }),
        ...options.headers,
      },
    });
    req.on("response", (res) => collect(res).then(resolve, reject));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** Opens a CONNECT tunnel; resolves with the gateway's status and the socket. */
export function connectThrough(
  socketPath: string,
  authority: string,
  auth?: string,
): Promise<{ status: number; socket: import("node:net").Socket; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath,
      agent: false,
      method: "CONNECT",
      path: authority,
      headers: { host: authority, ...(auth && { "proxy-authorization": auth }) },
    });
    req.on("connect", (res, socket) => resolve({ status: res.statusCode ?? 0, socket, body: "" }));
    req.on("response", (res) =>
      collect(res).then(
        (a) => resolve({ status: a.status, socket: res.socket, body: a.body }),
        reject,
      ),
    );
    req.on("error", reject);
    req.end();
  });
}

/** An HTTPS request through a CONNECT tunnel, trusting `ca` (the tenant's bundle or the upstream's). */
export async function viaTunnel(
  socketPath: string,
  target: { host: string; port: number; path: string },
  options: {
    auth: string;
    ca: string;
    method?: string;
    servername?: string;
    headers?: Record<string, string>;
  },
): Promise<Answer & { firstChunkMs: number; totalMs: number }> {
  const started = performance.now();
  const tunnel = await connectThrough(socketPath, `${target.host}:${target.port}`, options.auth);
  if (tunnel.status !== 200) throw new Error(`CONNECT answered ${tunnel.status}: ${tunnel.body}`);
  const secure = tls.connect({
    socket: tunnel.socket,
    servername: options.servername ?? target.host,
    ca: options.ca,
  });
  await new Promise<void>((resolve, reject) => {
    secure.once("secureConnect", resolve);
    secure.once("error", reject);
  });
  return new Promise((resolve, reject) => {
    const req = https.request({
      createConnection: () => secure,
      host: target.host,
      port: target.port,
      path: target.path,
      method: options.method ?? "GET",
      headers: { host: `${target.host}:${target.port}`, ...options.headers },
    });
    req.on("response", (res) => {
      let firstChunkMs = 0;
      res.once("data", () => {
        firstChunkMs = performance.now() - started;
      });
      collect(res).then(
        (a) => resolve({ ...a, firstChunkMs, totalMs: performance.now() - started }),
        reject,
      );
    });
    req.on("error", reject);
    req.end();
  });
}

export function desiredAgent(agentId: string, over: Partial<DesiredAgent> = {}): DesiredAgent {
  return {
    agentId,
    name: agentId,
    generation: 1,
    desiredState: "RUNNING",
    image: "corral/agent-base:latest",
    command: [],
    env: {},
    cpus: 0.5,
    memoryMb: 128,
    pids: 64,
    workspaceMb: 64,
    egress: { preset: "NONE", rules: [], quarantined: false },
    grants: [],
    ...over,
  };
}

export function desiredSandbox(
  tenantId: string,
  agents: DesiredAgent[],
  over: Partial<DesiredSandbox> = {},
): DesiredSandbox {
  return {
    tenantId,
    tenantSlug: tenantId,
    cpus: 1,
    memoryMb: 1024,
    egressCeiling: null,
    agents,
    ...over,
  };
}
