// Outgoing webhook requests. The control plane sits inside the operator's network, so an
// endpoint must not be a way in: addresses are checked after DNS resolution, at connect time
// (no rebinding between check and use), and loopback, private, link-local and metadata ranges
// are refused unless the deployment allows them (development).

import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { isInternalAddress } from "../../../common/internal-addresses.ts";

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
