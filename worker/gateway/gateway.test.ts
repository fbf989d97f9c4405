// The gateway as an agent's HTTP client meets it: over the tenant's socket, against real
// loopback upstreams (plain HTTP, and HTTPS with a CA of the test's own). What a real agent
// container sees through the sandbox is tested in gateway-containment.integration.test.ts.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DesiredGrant, DesiredState } from "../../common/worker-protocol.ts";
import { EgressGateway } from "./gateway.ts";
import {
  connectThrough,
  desiredAgent,
  desiredSandbox,
  httpsUpstream,
  httpUpstream,
  proxyAuth,
  type Upstream,
  viaProxy,
  viaTunnel,
} from "./test-kit.ts";

const key = "sk-ant-test-0123456789abcdefghijklmnopqrstuvwxyz";
let gateway: EgressGateway;
let plain: Upstream;
let secure: Upstream & { caPem: string };
let dir: string;
const socket = (tenant: string) => path.join(dir, `${tenant}.sock`);
const bundle = (tenant: string) => path.join(dir, `${tenant}-ca.pem`);

function grant(over: Partial<DesiredGrant> = {}): DesiredGrant {
  return {
    grantId: "g1",
    secretId: "s1",
    secretName: "ANTHROPIC",
    version: 1,
    value: key,
    hosts: ["localhost"],
    pathPrefix: null,
    headerName: "x-api-key",
    headerTemplate: "{value}",
    placeholderEnv: "ANTHROPIC_API_KEY",
    ...over,
  };
}

let version = 0;
/** Tenant "acme" with agents: `coder` (model-provider preset, granted), `quiet` (no network), `web` (custom rules). */
function state(
  over: { grants?: DesiredGrant[]; quarantined?: boolean; ceiling?: string[] | null } = {},
): DesiredState {
  return {
    version: ++version,
    sandboxes: [
      desiredSandbox(
        "acme",
        [
          desiredAgent("coder", {
            egress: { preset: "MODEL_PROVIDER", rules: [], quarantined: over.quarantined ?? false },
            grants: over.grants ?? [grant()],
          }),
          desiredAgent("quiet"),
          desiredAgent("web", {
            egress: {
              preset: "CUSTOM",
              quarantined: false,
              rules: [
                { action: "allow", host: "localhost", ports: [], methods: ["GET"], paths: ["/v1"] },
                { action: "deny", host: "localhost", ports: [], methods: [], paths: ["/v1/admin"] },
                { action: "allow", host: "127.0.0.1", ports: [], methods: [], paths: [] },
              ],
            },
          }),
        ],
        { egressCeiling: over.ceiling ?? null },
      ),
      desiredSandbox("globex", [
        desiredAgent("spy", {
          egress: { preset: "MODEL_PROVIDER", rules: [], quarantined: false },
        }),
      ]),
    ],
  };
}

const auth = (tenant: string, agent: string) =>
  proxyAuth(agent, gateway.access(tenant, agent, 1, []).token);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "corral-gateway-"));
  plain = await httpUpstream();
  secure = await httpsUpstream();
  gateway = await EgressGateway.start({
    stateDir: path.join(dir, "state"),
    allowRanges: ["127.0.0.0/8"],
    upstreamCaPem: secure.caPem,
    log: () => {},
  });
  gateway.update(state());
  for (const tenant of ["acme", "globex"])
    await gateway.ensureTenant(tenant, tenant, {
      socketPath: socket(tenant),
      caBundlePath: bundle(tenant),
    });
});

afterAll(async () => {
  await gateway?.close();
  await plain?.close();
  await secure?.close();
});

describe("the egress gateway", () => {
  it("adds the granted key on the way out, swaps the placeholder, and hides the key in what comes back", async () => {
    const placeholder = gateway.access("acme", "coder", 1, ["ANTHROPIC_API_KEY"]).placeholders
      .ANTHROPIC_API_KEY as string;
    const answer = await viaProxy(socket("acme"), `http://localhost:${plain.port}/v1/messages`, {
      auth: auth("acme", "coder"),
      headers: { "x-api-key": placeholder, "x-debug": `key=${placeholder}` },
    });
    expect(answer.status).toBe(200);
    const received = plain.seen.at(-1);
    expect(received?.headers["x-api-key"]).toBe(key);
    expect(received?.headers["x-debug"]).toBe(`key=${key}`);
    expect(received?.headers["proxy-authorization"]).toBeUndefined();
    // The upstream echoed the key back in its body and a header: the agent sees neither.
    expect(answer.body).not.toContain(key);
    expect(answer.body).toContain("*".repeat(key.length));
    expect(JSON.stringify(answer.headers)).not.toContain(key);
  });

  it("opens TLS for a granted host with the tenant's CA and adds the key inside", async () => {
    const ca = await readFile(bundle("acme"), "utf8");
    const answer = await viaTunnel(
      socket("acme"),
      { host: "localhost", port: secure.port, path: "/v1/messages" },
      { auth: auth("acme", "coder"), ca, method: "POST" },
    );
    expect(answer.status).toBe(200);
    expect(secure.seen.at(-1)?.headers["x-api-key"]).toBe(key);
    expect(answer.body).not.toContain(key);
  });

  it("tunnels an allowed host without a grant end to end, checking the TLS server name", async () => {
    // `web` may reach 127.0.0.1 on any path: no rule narrows it and no grant, so no interception.
    const answer = await viaTunnel(
      socket("acme"),
      { host: "127.0.0.1", port: secure.port, path: "/anything" },
      {
        auth: auth("acme", "web"),
        ca: secure.caPem,
        servername: "localhost",
        headers: { host: "localhost" },
      },
    ).catch((error: Error) => error);
    // The client named localhost in SNI but CONNECTed to 127.0.0.1: the tunnel is cut.
    expect(answer).toBeInstanceOf(Error);
    const denial = gateway.recorder
      .drain()
      .decisions.find((d) => d.agentId === "web" && !d.allowed);
    expect(denial?.reason).toMatch(/named localhost, not 127.0.0.1/);
  });

  it("streams a server-sent response without waiting for its end", async () => {
    const ca = await readFile(bundle("acme"), "utf8");
    const answer = await viaTunnel(
      socket("acme"),
      { host: "localhost", port: secure.port, path: "/stream" },
      { auth: auth("acme", "coder"), ca },
    );
    expect(answer.body).toBe("data: first\n\ndata: second\n\n");
    expect(answer.totalMs - answer.firstChunkMs).toBeGreaterThan(300);
  });

  it("refuses a host the policy does not allow with a clear 403, and records it", async () => {
    gateway.recorder.drain();
    const answer = await viaProxy(socket("acme"), `http://127.0.0.1:${plain.port}/`, {
      auth: auth("acme", "coder"),
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/corral-gateway: denied: .*model-provider preset allows only/);
    const quiet = await viaProxy(socket("acme"), `http://localhost:${plain.port}/`, {
      auth: auth("acme", "quiet"),
    });
    expect(quiet.body).toMatch(/allows no network/);
    const { decisions } = gateway.recorder.drain();
    expect(decisions.filter((d) => !d.allowed).map((d) => d.agentId)).toEqual(["coder", "quiet"]);
  });

  it("decides methods and paths inside TLS, deny rules winning", async () => {
    const ca = await readFile(bundle("acme"), "utf8");
    const go = (method: string, p: string) =>
      viaTunnel(
        socket("acme"),
        { host: "localhost", port: secure.port, path: p },
        { auth: auth("acme", "web"), ca, method },
      );
    expect((await go("GET", "/v1/models")).status).toBe(200);
    expect((await go("POST", "/v1/models")).status).toBe(403);
    expect((await go("GET", "/v1/admin/users")).status).toBe(403);
    expect((await go("GET", "/v1/x/../admin")).status).toBe(403);
    expect((await go("GET", "/v2")).status).toBe(403);
  });

  it("knows no agent without its current token, and never one of another tenant", async () => {
    const none = await viaProxy(socket("acme"), `http://localhost:${plain.port}/`, {});
    expect(none.status).toBe(407);
    const wrong = await viaProxy(socket("acme"), `http://localhost:${plain.port}/`, {
      auth: proxyAuth("coder", "not-the-token"),
    });
    expect(wrong.status).toBe(407);
    const oldGeneration = proxyAuth("coder", gateway.access("acme", "coder", 0, []).token);
    expect(
      (await viaProxy(socket("acme"), `http://localhost:${plain.port}/`, { auth: oldGeneration }))
        .status,
    ).toBe(407);
    // globex's agent, with its own valid token, on acme's socket; and acme's on globex's.
    const across = await viaProxy(socket("acme"), `http://localhost:${plain.port}/`, {
      auth: auth("globex", "spy"),
    });
    expect(across.status).toBe(407);
    const back = await viaProxy(socket("globex"), `http://localhost:${plain.port}/`, {
      auth: auth("acme", "coder"),
    });
    expect(back.status).toBe(407);
    // globex's own agent has no grant: the model-provider preset opens nothing for it.
    const own = await viaProxy(socket("globex"), `http://localhost:${plain.port}/`, {
      auth: auth("globex", "spy"),
    });
    expect(own.status).toBe(403);
    expect(plain.seen.every((r) => r.headers["x-api-key"] !== key || r.url.startsWith("/v1"))).toBe(
      true,
    );
  });

  it("uses a rotated value on the very next request", async () => {
    gateway.update(
      state({ grants: [grant({ value: "sk-ant-rotated-value-000000000000", version: 2 })] }),
    );
    await viaProxy(socket("acme"), `http://localhost:${plain.port}/v1/x`, {
      auth: auth("acme", "coder"),
    });
    expect(plain.seen.at(-1)?.headers["x-api-key"]).toBe("sk-ant-rotated-value-000000000000");
    const use = gateway.recorder.drain().uses.at(-1);
    expect(use).toMatchObject({
      agentId: "coder",
      secretId: "s1",
      version: 2,
      host: "localhost",
      status: 200,
    });
    gateway.update(state());
  });

  it("holds the organisation's ceiling over the agent's own rules", async () => {
    gateway.update(state({ ceiling: ["api.example.com"] }));
    const answer = await viaProxy(socket("acme"), `http://localhost:${plain.port}/v1/x`, {
      auth: auth("acme", "coder"),
    });
    expect(answer.body).toMatch(/outside the organisation's egress ceiling/);
    gateway.update(state());
  });

  it("cuts a quarantined agent off at once, open tunnels included", async () => {
    const ca = await readFile(bundle("acme"), "utf8");
    const tunnel = await connectThrough(
      socket("acme"),
      `localhost:${secure.port}`,
      auth("acme", "coder"),
    );
    expect(tunnel.status).toBe(200);
    const open = tls.connect({ socket: tunnel.socket, servername: "localhost", ca });
    await new Promise((resolve) => open.once("secureConnect", resolve));
    const closed = new Promise((resolve) => open.once("close", resolve));
    const started = performance.now();
    gateway.update(state({ quarantined: true }));
    await closed;
    expect(performance.now() - started).toBeLessThan(1000);
    const answer = await viaProxy(socket("acme"), `http://localhost:${plain.port}/v1/x`, {
      auth: auth("acme", "coder"),
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/quarantined/);
    gateway.update(state());
  });

  it("answers the task contract at corral.internal itself, relaying as the agent its token names", async () => {
    const calls: { method: string; path: string; body: unknown }[] = [];
    gateway.setTaskRelay({
      relay: async (method, p, body) => {
        calls.push({ method, path: p, body });
        return p === "tasks/next"
          ? { status: 204, body: null }
          : { status: 200, body: { cancel: false } };
      },
    });
    const next = await viaProxy(socket("acme"), "http://corral.internal/tasks/v1/next", {
      auth: auth("acme", "quiet"),
      method: "POST",
      body: JSON.stringify({ runId: "r1", waitSeconds: 0 }),
    });
    expect(next.status).toBe(204);
    const events = await viaProxy(
      socket("acme"),
      "http://corral.internal/tasks/v1/tasks/t1/events",
      {
        auth: auth("acme", "quiet"),
        method: "POST",
        body: JSON.stringify({ events: [{ seq: 1, type: "text", text: "hi" }] }),
      },
    );
    expect(events.body).toBe('{"cancel":false}');
    expect(calls).toEqual([
      {
        method: "POST",
        path: "tasks/next",
        body: { runId: "r1", waitSeconds: 0, agentId: "quiet", generation: 1 },
      },
      {
        method: "POST",
        path: "tasks/events",
        body: { agentId: "quiet", taskId: "t1", events: [{ seq: 1, type: "text", text: "hi" }] },
      },
    ]);
    const bad = await viaProxy(socket("acme"), "http://corral.internal/tasks/v1/next", {
      auth: auth("acme", "quiet"),
      method: "POST",
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    expect(plain.seen.some((r) => r.url.includes("tasks/v1"))).toBe(false);
  });

  it("refuses internal addresses unless the operator allows their range", async () => {
    const strict = await EgressGateway.start({ stateDir: path.join(dir, "strict"), log: () => {} });
    strict.update(state());
    const sock = path.join(dir, "strict.sock");
    await strict.ensureTenant("acme", "acme", {
      socketPath: sock,
      caBundlePath: path.join(dir, "strict.pem"),
    });
    try {
      const token = proxyAuth("coder", strict.access("acme", "coder", 1, []).token);
      const answer = await viaProxy(sock, `http://localhost:${plain.port}/v1/x`, { auth: token });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatch(/resolves to an internal address/);
    } finally {
      await strict.close();
    }
  });
});
