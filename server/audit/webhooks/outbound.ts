// Outgoing webhook requests. The control plane sits inside the operator's network, so an
// endpoint must not be a way in: addresses are checked after DNS resolution, at connect time
// (no rebinding between check and use), and loopback, private, link-local and metadata ranges
// are refused unless the deployment allows them (development).

import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

const internal = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["192.0.0.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  internal.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["::ffff:0:0", 96],
  ["::", 96],
  ["64:ff9b::", 96],
  ["2002::", 16],
  ["fec0::", 10],
] as const)
  internal.addSubnet(net, bits, "ipv6");

export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return internal.check(address, family === 4 ? "ipv4" : "ipv6");
}

const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 4);
    const list = Array.isArray(addresses) ? addresses : [];
    const refused = list.find((a) => isInternalAddress(a.address));
    if (refused || list.length === 0) {
      // The address itself is not said: it would map the operator's network for a tenant.
      const reason = new Error(
        `${hostname} resolves to an internal address; webhooks may only reach public endpoints`,
      );
      return callback(reason, "", 4);
    }
    if (options.all) return callback(null, list as never);
    const first = list[0];
    return callback(null, first?.address ?? "", first?.family ?? 4);
  });
};

export interface PostResult {
  status?: number;
  error?: string;
  durationMs: number;
}

export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { allowInternal: boolean; timeoutMs?: number },
): Promise<PostResult> {
  const started = performance.now();
  const target = new URL(url);
  const done = (r: Omit<PostResult, "durationMs">): PostResult => ({
    ...r,
    durationMs: Math.round(performance.now() - started),
  });
  // Literal IPs skip DNS, so check them here too.
  if (
    !options.allowInternal &&
    isIP(target.hostname.replace(/^\[|\]$/g, "")) &&
    isInternalAddress(target.hostname.replace(/^\[|\]$/g, ""))
  ) {
    return Promise.resolve(
      done({
        error: `${target.hostname} is an internal address; webhooks may only reach public endpoints`,
      }),
    );
  }
  const client = target.protocol === "https:" ? https : http;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: Omit<PostResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(done(r));
      req.destroy();
    };
    // One deadline for the whole exchange: a server that trickles or stalls cannot hold a
    // delivery (and the queue behind it) forever.
    const deadline = setTimeout(
      () => settle({ error: `no complete answer within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    const req = client.request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": Buffer.byteLength(body).toString() },
        ...(options.allowInternal ? {} : { lookup: guardedLookup }),
      },
      // The status is the answer; the body is not read.
      (res) => settle({ status: res.statusCode }),
    );
    req.on("error", (error) => settle({ error: error.message }));
    req.end(body);
  });
}
