import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { type Balancer, startBalancer } from "./balancer.ts";

const servers: Server[] = [];
let balancer: Balancer | null = null;
afterAll(async () => {
  await balancer?.close();
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

/** A backend that names itself and what it was told, or streams two events a beat apart. */
async function backend(name: string) {
  const server = createServer((req, res) => {
    if (req.url === "/stream") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(`data: first from ${name}\n\n`);
      setTimeout(() => res.end(`data: second from ${name}\n\n`), 300);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        name,
        forwardedFor: req.headers["x-forwarded-for"],
        requestId: req.headers["x-request-id"],
      }),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { host: "127.0.0.1", port: (server.address() as AddressInfo).port };
}

describe("the development balancer", () => {
  it("sends each request to the next process, as the edge, and streams events as they come", async () => {
    balancer = await startBalancer({
      port: 0,
      host: "127.0.0.1",
      backends: [await backend("a"), await backend("b")],
    });
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const body = await (
        await fetch(`${balancer.url}/api/trpc/x`, {
          headers: { "x-request-id": "spoofed", "x-forwarded-for": "6.6.6.6" },
        })
      ).json();
      names.push(body.name);
      expect(body.forwardedFor).toBe("127.0.0.1");
      expect(body.requestId).toMatch(/^lb-[0-9a-f-]{36}$/);
    }
    expect(names).toEqual(["a", "b", "a", "b"]);

    const res = await fetch(`${balancer.url}/stream`, { headers: { accept: "text/event-stream" } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const started = Date.now();
    const first = new TextDecoder().decode((await reader.read()).value);
    // The first event arrives before the backend has finished the answer.
    expect(first).toBe("data: first from a\n\n");
    expect(Date.now() - started).toBeLessThan(250);
    await reader.cancel();

    const stats = await (await fetch(`${balancer.url}/.balancer/stats`)).json();
    expect(stats).toEqual([{ trpc: 2, "live-stream": 1 }, { trpc: 2 }]);
  });
});
