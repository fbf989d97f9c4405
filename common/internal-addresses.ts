// Addresses that lead into the operator's own network (loopback, private, link-local, cloud
// metadata, carrier-grade NAT, multicast, reserved, and IPv6's equivalents and IPv4 mappings).
// Outgoing calls made for tenants (webhooks, the agents' egress gateway) refuse them after
// DNS resolution unless the operator allows a range.
import { BlockList, isIP } from "node:net";

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

/** True for internal addresses, and for anything that is not an IP address at all. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return internal.check(address, family === 4 ? "ipv4" : "ipv6");
}
