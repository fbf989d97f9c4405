// One tenant's door: an HTTP forward proxy (absolute-form requests and CONNECT) listening on
// the host socket its sandbox leads to. The socket says which tenant is speaking; the agent's
// token says which agent. Every connection and request is decided by the agent's policy, and
// secrets are added only here, outside the sandbox, on requests to their grants' hosts.
// TLS is opened (with the tenant's CA) only for hosts that carry a grant or a method/path
// rule; other allowed hosts are tunnelled once the TLS server name matches the CONNECT host.
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import {
  decide,
  type EgressTarget,
  hostMatches,
  normalisePath,
  renderTemplate,
} from "../../common/egress-policy.ts";
import { tasksHost } from "../../common/task-contract.ts";
import { httpHostOf, serverNameOf } from "./client-hello.ts";
import type { GatewayKeys } from "./credentials.ts";
import type { GatewayAgent, GatewayGrant, PolicyTable } from "./policy-table.ts";
import type { EgressRecorder } from "./recorder.ts";
import { maskIn, SecretScrubber } from "./scrub.ts";
import { relayTaskCall, type TaskRelay } from "./task-relay.ts";
import type { TenantCa } from "./tenant-ca.ts";
import { EgressRefused, type UpstreamResolver } from "./upstream.ts";

export interface ProxyDeps {
  table: PolicyTable;
  keys: GatewayKeys;
  resolver: UpstreamResolver;
  recorder: EgressRecorder;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
  /** Where task-contract calls go; without one, corral.internal answers 503. */
  tasks?: TaskRelay;
  log: (line: string) => void;
}

/** What an intercepted TLS session is about: set at CONNECT, read for each request in it. */
interface Session {
  agentId: string;
  generation: number;
  host: string;
  port: number;
}

const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const helloTimeoutMs = 10_000;
const idleTimeoutMs = 10 * 60_000;

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? "")
      .split(",")
      .map((h) => h.trim().toLowerCase()),
  );
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** `host:port` of a CONNECT, with IPv6 in brackets. */
export function parseAuthority(authority: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(authority);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: (match[1] ?? match[2] ?? "").toLowerCase(), port };
}

/** The reason as a header too, for clients that show headers but not error bodies. */
const headerSafe = (message: string) => message.replace(/[^\x20-\x7e]/g, " ").slice(0, 300);

function refusal(status: number, message: string): string {
  const reason = http.STATUS_CODES[status] ?? "Refused";
  const body = `corral-gateway: ${message}\n`;
  return [
    `HTTP/1.1 ${status} ${reason}`,
    "content-type: text/plain; charset=utf-8",
    `content-length: ${Buffer.byteLength(body)}`,
    "x-corral-gateway: refused",
    `x-corral-gateway-reason: ${headerSafe(message)}`,
    ...(status === 407 ? ['proxy-authenticate: Basic realm="corral-gateway"'] : []),
    "connection: close",
    "",
    body,
  ].join("\r\n");
}

function reply(res: http.ServerResponse, status: number, message: string) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `corral-gateway: ${message}\n`;
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "x-corral-gateway": "refused",
    "x-corral-gateway-reason": headerSafe(message),
    ...(status === 407 && { "proxy-authenticate": 'Basic realm="corral-gateway"' }),
  });
  res.end(body);
}

export class TenantProxy {
  readonly server: http.Server;
  /** Requests from inside intercepted TLS sessions. */
  private readonly inner: http.Server;
  private readonly sessions = new WeakMap<object, Session>();
  /** Open client connections per agent, closed when its access ends or narrows. */
  private readonly open = new Map<string, Map<Duplex, { host: string; port: number }>>();

  constructor(
    readonly tenantId: string,
    private readonly ca: TenantCa,
    private readonly deps: ProxyDeps,
  ) {
    this.server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 30_000 });
    // A client that half-closes after its request (nc, some scripts) still gets its answer,
    // a long-poll's included; Node's default would abort the request on the client's FIN.
    (this.server as http.Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    this.server.on("request", (req, res) => void this.onForward(req, res));
    this.server.on("connect", (req, socket, head) => void this.onConnect(req, socket, head));
    this.server.on("upgrade", (_req, socket) =>
      socket.end(refusal(501, "upgrades (WebSocket) are not carried")),
    );
    this.server.on("clientError", (_error, socket) => {
      if (socket.writable) socket.end(refusal(400, "malformed request"));
    });
    this.inner = http.createServer({ requestTimeout: 0 });
    this.inner.on("request", (req, res) => void this.onIntercepted(req, res));
    this.inner.on("upgrade", (_req, socket) =>
      socket.end(refusal(501, "upgrades (WebSocket) are not carried")),
    );
    this.inner.on("clientError", (_error, socket) => socket.destroy());
  }

  // --- Who is asking ---------------------------------------------------------------------

  /** The agent named by Proxy-Authorization (`agentId:token`), if its token is current. */
  private authenticate(header: string | undefined): GatewayAgent | null {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? "");
    if (!match) return null;
    const decoded = Buffer.from(match[1] as string, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1) return null;
    const agentId = decoded.slice(0, colon);
    const agent = this.deps.table.agent(this.tenantId, agentId);
    if (!agent) return null;
    const ok = this.deps.keys.checkToken(
      this.tenantId,
      agentId,
      agent.generation,
      decoded.slice(colon + 1),
    );
    return ok ? agent : null;
  }

  private track(agent: GatewayAgent, socket: Duplex, target: { host: string; port: number }) {
    const sockets =
      this.open.get(agent.agentId) ?? new Map<Duplex, { host: string; port: number }>();
    this.open.set(agent.agentId, sockets);
    const known = sockets.has(socket);
    sockets.set(socket, target);
    // Once per connection: a keep-alive connection carries many requests.
    if (known) return;
    socket.once("close", () => {
      sockets.delete(socket);
      if (sockets.size === 0) this.open.delete(agent.agentId);
    });
  }

  /**
   * After a policy change: closes connections of agents that are gone, quarantined, of an
   * older generation, or whose host is no longer allowed. Requests inside intercepted
   * sessions are decided one by one anyway; this also ends their streams.
   */
  revisit(): void {
    for (const [agentId, sockets] of this.open) {
      const agent = this.deps.table.agent(this.tenantId, agentId);
      for (const [socket, target] of sockets) {
        const session = this.sessions.get(socket);
        const stale = !agent || (session && session.generation !== agent.generation);
        if (stale || !decide(agent.egress, target).allowed) socket.destroy();
      }
    }
  }

  private denied(agent: GatewayAgent, target: EgressTarget, reason: string) {
    this.deps.recorder.denied({
      agentId: agent.agentId,
      host: target.host,
      port: target.port,
      method: target.method ?? "CONNECT",
      path: target.path ?? "",
      reason,
    });
  }

  // --- Plain HTTP: absolute-form requests ---------------------------------------------------

  private async onForward(req: http.IncomingMessage, res: http.ServerResponse) {
    const agent = this.authenticate(req.headers["proxy-authorization"]);
    if (!agent) return reply(res, 407, "proxy authentication required (the agent's gateway token)");
    let url: URL;
    try {
      url = new URL(req.url ?? "");
    } catch {
      return reply(res, 400, "send absolute-form requests (http://host/path) to the gateway");
    }
    if (url.protocol !== "http:")
      return reply(res, 400, `${url.protocol} requests go through CONNECT, not as plain requests`);
    if (url.username || url.password) return reply(res, 400, "credentials in URLs are not carried");
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    const port = Number(url.port || 80);
    // The task contract: answered here, never sent anywhere (a quarantined agent gets no work).
    if (host === tasksHost) {
      if (agent.egress.quarantined) return reply(res, 403, "denied: the agent is quarantined");
      if (!this.deps.tasks) return reply(res, 503, "this gateway carries no tasks");
      return relayTaskCall(this.deps.tasks, agent, req, res, url);
    }
    this.track(agent, req.socket, { host, port });
    await this.carry(agent, req, res, {
      host,
      port,
      path: `${url.pathname}${url.search}`,
      tls: false,
    });
  }

  // --- CONNECT: tunnel, or open TLS ----------------------------------------------------------

  private async onConnect(req: http.IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on("error", () => socket.destroy());
    const agent = this.authenticate(req.headers["proxy-authorization"]);
    if (!agent)
      return socket.end(refusal(407, "proxy authentication required (the agent's gateway token)"));
    const target = parseAuthority(req.url ?? "");
    if (!target) return socket.end(refusal(400, "CONNECT needs host:port"));
    const decision = decide(agent.egress, target);
    if (!decision.allowed) {
      this.denied(agent, target, decision.reason);
      return socket.end(refusal(403, `denied: ${decision.reason}`));
    }
    const granted = agent.grants.some((g) => g.hosts.some((p) => hostMatches(p, target.host)));
    if (decision.inspect || granted) return this.intercept(agent, socket, head, target);
    await this.tunnel(agent, socket, head, target);
  }

  private async intercept(
    agent: GatewayAgent,
    socket: Duplex,
    head: Buffer,
    target: { host: string; port: number },
  ) {
    let secureContext: tls.SecureContext;
    try {
      secureContext = await this.ca.contextFor(target.host);
    } catch (error) {
      this.deps.log(`gateway: no certificate for ${target.host}: ${(error as Error).message}`);
      return socket.end(refusal(502, `could not open TLS for ${target.host}`));
    }
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) socket.unshift(head);
    const secure = new tls.TLSSocket(socket as net.Socket, {
      isServer: true,
      secureContext,
      ALPNProtocols: ["http/1.1"],
    });
    secure.on("error", () => secure.destroy());
    secure.setTimeout(idleTimeoutMs, () => secure.destroy());
    this.sessions.set(secure, { agentId: agent.agentId, generation: agent.generation, ...target });
    this.sessions.set(socket, { agentId: agent.agentId, generation: agent.generation, ...target });
    this.track(agent, socket, target);
    this.inner.emit("connection", secure);
  }

  private async onIntercepted(req: http.IncomingMessage, res: http.ServerResponse) {
    const session = this.sessions.get(req.socket);
    const agent = session && this.deps.table.agent(this.tenantId, session.agentId);
    if (!session || !agent || agent.generation !== session.generation)
      return reply(res, 403, "this agent's access through the gateway has ended");
    const named = String(req.headers.host ?? "")
      .toLowerCase()
      .replace(/:\d+$/, "")
      .replace(/^\[|\]$/g, "");
    if (named !== session.host)
      return reply(res, 421, `Host ${named} does not match the CONNECT target ${session.host}`);
    await this.carry(agent, req, res, {
      host: session.host,
      port: session.port,
      path: req.url ?? "/",
      tls: true,
    });
  }

  private async tunnel(
    agent: GatewayAgent,
    socket: Duplex,
    head: Buffer,
    target: { host: string; port: number },
  ) {
    let address: string;
    try {
      address = (await this.deps.resolver.resolve(target.host)).address;
    } catch (error) {
      const refused =
        error instanceof EgressRefused ? error : new EgressRefused(String(error), 502);
      this.denied(agent, target, refused.message);
      return socket.end(refusal(refused.status, refused.message));
    }
    socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    const first = head.length > 0 ? head : await firstBytes(socket, helloTimeoutMs);
    if (!first) return socket.destroy();
    // The tunnel carries only what it says it is: TLS for this server name, or HTTP for this host.
    const tlsName = serverNameOf(first);
    const named = tlsName === undefined ? httpHostOf(first) : tlsName;
    if (named !== target.host) {
      const reason =
        named === undefined
          ? "the tunnel carried neither TLS nor HTTP"
          : named === null
            ? "TLS without a server name (SNI) is not tunnelled"
            : `the tunnel named ${named}, not ${target.host}`;
      this.denied(agent, target, reason);
      return socket.destroy();
    }
    this.track(agent, socket, target);
    const upstream = net.connect({ host: address, port: target.port });
    let bytes = 0;
    upstream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    upstream.setTimeout(idleTimeoutMs, () => upstream.destroy());
    upstream.once("connect", () => {
      upstream.write(first);
      socket.pipe(upstream);
      upstream.pipe(socket);
    });
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on("error", close);
    socket.on("close", close);
    upstream.once("close", () => {
      socket.destroy();
      this.deps.recorder.allowed(
        {
          agentId: agent.agentId,
          host: target.host,
          port: target.port,
          method: "CONNECT",
          path: "",
          reason: "tunnelled",
          status: 200,
        },
        bytes,
      );
    });
  }

  // --- One request, decided and carried ---------------------------------------------------

  private async carry(
    agent: GatewayAgent,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    to: { host: string; port: number; path: string; tls: boolean },
  ) {
    const method = req.method ?? "GET";
    const target = { host: to.host, port: to.port, method, path: to.path };
    const decision = decide(agent.egress, target);
    if (!decision.allowed) {
      this.denied(agent, target, decision.reason);
      return reply(res, 403, `denied: ${decision.reason}`);
    }
    let address: string;
    let family: 4 | 6;
    try {
      ({ address, family } = await this.deps.resolver.resolve(to.host));
    } catch (error) {
      const refused =
        error instanceof EgressRefused ? error : new EgressRefused(String(error), 502);
      this.denied(agent, target, refused.message);
      return reply(res, refused.status, refused.message);
    }

    const path = normalisePath(to.path);
    const grants = agent.grants.filter(
      (g) =>
        g.hosts.some((p) => hostMatches(p, to.host)) &&
        (!g.pathPrefix || path.startsWith(g.pathPrefix)),
    );
    const headers = endToEnd(req.headers);
    headers.host = (to.tls ? to.port === 443 : to.port === 80) ? to.host : `${to.host}:${to.port}`;
    addSecrets(headers, grants);
    // Bodies coming back are scanned for the values added; compressed ones could hide them.
    if (grants.length > 0) headers["accept-encoding"] = "identity";
    const values = grants.map((g) => g.value);

    const options: https.RequestOptions = {
      host: to.host,
      port: to.port,
      method,
      path: to.path,
      headers,
      agent: to.tls ? this.deps.httpsAgent : this.deps.httpAgent,
      lookup: (_name, opts, callback) =>
        opts.all ? callback(null, [{ address, family }] as never) : callback(null, address, family),
      ...(to.tls && { servername: net.isIP(to.host) ? undefined : to.host }),
    };
    const upstream = (to.tls ? https : http).request(options);
    let status = 0;
    let bytes = 0;
    const finish = (outcome: number) => {
      status = outcome;
      const entry = {
        agentId: agent.agentId,
        host: to.host,
        port: to.port,
        method,
        path: to.path.slice(0, 2048),
        reason: decision.reason,
        status,
      };
      this.deps.recorder.allowed(entry, bytes);
      for (const grant of grants)
        this.deps.recorder.used({
          agentId: agent.agentId,
          secretId: grant.secretId,
          version: grant.version,
          host: to.host,
          method,
          path: to.path.slice(0, 2048),
          status,
          bytes,
        });
    };
    upstream.on("response", (answer) => {
      const back = endToEnd(answer.headers);
      for (const [name, value] of Object.entries(back)) {
        if (typeof value === "string") back[name] = maskIn(value, values);
        else if (Array.isArray(value)) back[name] = value.map((v) => maskIn(v, values));
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
      // A streamed answer (no length) shows its headers at once; others go out in one write.
      if (answer.headers["content-length"] === undefined) res.flushHeaders();
      const body = values.length > 0 ? answer.pipe(new SecretScrubber(values)) : answer;
      body.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
      });
      body.pipe(res);
      res.once("close", () => finish(answer.statusCode ?? 0));
      answer.once("error", () => res.destroy());
    });
    upstream.on("error", (error) => {
      if (status !== 0) return;
      const message = maskIn(error.message, values);
      reply(res, 502, `could not reach ${to.host}:${to.port}: ${message}`);
      finish(502);
    });
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }
}

/** Swaps each grant's placeholder for its value in every header, then sets its own header. */
function addSecrets(headers: http.OutgoingHttpHeaders, grants: GatewayGrant[]) {
  for (const grant of grants) {
    if (grant.placeholder) {
      for (const [name, value] of Object.entries(headers)) {
        if (typeof value === "string" && value.includes(grant.placeholder))
          headers[name] = value.split(grant.placeholder).join(grant.value);
      }
    }
    headers[grant.headerName] = renderTemplate(grant.headerTemplate, grant.value);
  }
}

/** The first chunk a client sends into a tunnel, or null if it sends nothing in time. */
function firstBytes(socket: Duplex, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const done = (value: Buffer | null) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer) => done(chunk);
    const onClose = () => done(null);
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on("data", onData);
    socket.once("close", onClose);
  });
}
