// A loopback API for agents to call through the egress gateway in browser tests: it answers
// every request with what it received (so a test can see the key the gateway added), and
// stands in for a provider the tests cannot reach.
import http from "node:http";

export const upstreamPort = Number(process.env.E2E_UPSTREAM_PORT ?? 4591);

export async function startUpstream(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        method: req.method,
        url: req.url,
        sawKey: Boolean(req.headers["x-api-key"]),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(upstreamPort, "127.0.0.1", resolve));
  return server;
}
