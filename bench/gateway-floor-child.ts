// Run by bench/gateway.ts in its own process, as a reference: the least any Node forward
// proxy does for an absolute-form request on a unix socket (parse it, send it on over a
// keep-alive connection, pipe the answer back), with no authentication, policy, per-request
// name resolution, secrets or records. What the gateway costs beyond this is its own work;
// what this costs is the price of having a hop at all.
// Prints one JSON line {socketPath} when listening; closes when its stdin ends.
// Usage: gateway-floor-child <folder>
import { rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const [dir] = process.argv.slice(2);
if (!dir) throw new Error("usage: gateway-floor-child <folder>");
const socketPath = path.join(dir, "floor.sock");
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const hopByHop = ["connection", "keep-alive", "proxy-authorization", "transfer-encoding"];

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = { ...headers };
  for (const name of hopByHop) delete out[name];
  return out;
}

// Same timeouts as the gateway's listener, so idle keep-alive sockets live as long.
const server = http.createServer({ requestTimeout: 0, keepAliveTimeout: 30_000 }, (req, res) => {
  const url = new URL(req.url ?? "");
  const upstream = http.request({
    host: url.hostname,
    port: url.port || 80,
    method: req.method,
    path: `${url.pathname}${url.search}`,
    headers: endToEnd(req.headers),
    agent,
  });
  upstream.on("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
    answer.pipe(res);
  });
  upstream.on("error", () => res.destroy());
  req.pipe(upstream);
});
rmSync(socketPath, { force: true });
server.listen(socketPath, () => console.log(JSON.stringify({ socketPath })));
process.stdin.resume();
process.stdin.once("end", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
  agent.destroy();
});
