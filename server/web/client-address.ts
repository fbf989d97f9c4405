// Who is really on the other end of a request. The TCP peer is the client unless it is one
// of the reverse proxies the operator named in CORRAL_TRUSTED_PROXIES; only then is its
// X-Forwarded-For believed, and only as far back as the chain of trusted proxies goes.
// Everything left of the first untrusted hop is whatever the client claimed.
import { BlockList, isIP } from "node:net";

/** Parses "10.0.0.0/8, 192.168.1.5, ::1" into a matcher; throws a one-line error on a typo. */
export function parseTrustedProxies(spec: string | undefined): BlockList {
  const list = new BlockList();
  for (const entry of (spec ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = "", bits] = entry.split("/");
    const family = isIP(address);
    if (!family)
      throw new Error(`CORRAL_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const prefix = Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
      throw new Error(`CORRAL_TRUSTED_PROXIES: "${entry}" has a bad prefix length`);
    list.addSubnet(address, prefix, type);
  }
  return list;
}

/** "::ffff:10.1.2.3" (an IPv4 peer on a dual-stack socket) is 10.1.2.3. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 4 ? "ipv4" : "ipv6");
}

/** Whether the TCP peer is one of the operator's reverse proxies. */
export function isTrustedProxy(peer: string | undefined, trusted: BlockList): boolean {
  return peer !== undefined && isTrusted(trusted, plain(peer));
}

/**
 * The client's address: walking from the peer back through X-Forwarded-For, the first hop
 * that is not a trusted proxy. A peer that is not trusted is the answer, whatever it sent.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trusted: BlockList,
): string | null {
  if (!peer) return null;
  const hops = [
    ...(forwardedFor ?? "")
      .split(",")
      .map((h) => plain(h.trim()))
      .filter(Boolean),
    plain(peer),
  ];
  for (let i = hops.length - 1; i > 0; i--) {
    const hop = hops[i] as string;
    if (!isIP(hop)) return null; // a proxy we trust passed on something unreadable
    if (!isTrusted(trusted, hop)) return hop;
  }
  // Every hop was a trusted proxy: the leftmost is as far as anyone can tell.
  const first = hops[0] as string;
  return isIP(first) ? first : null;
}
