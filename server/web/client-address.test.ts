import { describe, expect, it } from "vitest";
import { clientAddress, parseTrustedProxies } from "./client-address.ts";

describe("the client's address", () => {
  const none = parseTrustedProxies(undefined);
  const proxies = parseTrustedProxies("10.0.0.0/8, 192.168.1.5, fd00::/8");

  it.each([
    // [peer, X-Forwarded-For, trusted, expected]
    ["203.0.113.9", undefined, none, "203.0.113.9"],
    // No trusted proxy: whatever a client claims is ignored.
    ["203.0.113.9", "1.2.3.4", none, "203.0.113.9"],
    ["::ffff:203.0.113.9", "1.2.3.4, 5.6.7.8", none, "203.0.113.9"],
    // Behind a trusted proxy, its last addition is the client...
    ["10.0.0.2", "198.51.100.7", proxies, "198.51.100.7"],
    // ...and anything the client prepended stays ignored.
    ["10.0.0.2", "1.2.3.4, 198.51.100.7", proxies, "198.51.100.7"],
    // Two trusted proxies in a row are both skipped.
    ["10.0.0.2", "1.2.3.4, 198.51.100.7, 192.168.1.5", proxies, "198.51.100.7"],
    ["fd00::1", "2001:db8::5", proxies, "2001:db8::5"],
    // A trusted proxy that forwarded nothing: the proxy itself.
    ["10.0.0.2", undefined, proxies, "10.0.0.2"],
    // Garbage in the header is not an address.
    ["10.0.0.2", "not-an-ip", proxies, null],
  ])("peer %s with X-Forwarded-For %s", (peer, forwarded, trusted, expected) => {
    expect(clientAddress(peer, forwarded, trusted)).toBe(expected);
  });

  it("refuses a typo in the setting with a line that names it", () => {
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/"10.0.0.0\/33" has a bad prefix/);
    expect(() => parseTrustedProxies("proxy.local")).toThrow(/"proxy.local" is not an IP/);
  });
});
