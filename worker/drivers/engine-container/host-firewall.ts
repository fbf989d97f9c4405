// The sandbox's own traffic, fenced on the host. A sandbox is a privileged container: were an
// agent to escape into it, it must still find neither the host's services (INPUT from its
// bridge is refused) nor the operator's network, other bridges or cloud metadata (forwarding
// to internal ranges is refused in DOCKER-USER). Public addresses stay open for its engine's
// image pulls, which the driver limits to the registries the operator allows.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Ranges a sandbox never reaches through its bridge. */
const internalRanges = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "169.254.0.0/16",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "0.0.0.0/8",
  "224.0.0.0/4",
  "240.0.0.0/4",
];

/**
 * The host's own resolvers: the engine's DNS forwards a sandbox's lookups (its image pulls)
 * from the sandbox's namespace, so a resolver in a private range must stay reachable, on
 * port 53 only. Agents never use it: their DNS is closed inside the sandbox.
 */
function hostResolvers(): string[] {
  try {
    return readFileSync("/etc/resolv.conf", "utf8")
      .split("\n")
      .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1] ?? "")
      .filter((ip) => isIP(ip) === 4 && !ip.startsWith("127."));
  } catch {
    return [];
  }
}

function rejects(bridge: string): string[][] {
  return [
    ["INPUT", "-i", bridge, "-j", "REJECT"],
    ...internalRanges.map((range) => ["DOCKER-USER", "-i", bridge, "-d", range, "-j", "REJECT"]),
  ];
}

function accepts(bridge: string): string[][] {
  return hostResolvers().flatMap((ip) =>
    ["udp", "tcp"].map((proto) => [
      "DOCKER-USER",
      "-i",
      bridge,
      "-d",
      ip,
      "-p",
      proto,
      "--dport",
      "53",
      "-j",
      "ACCEPT",
    ]),
  );
}

async function iptables(args: string[]): Promise<boolean> {
  try {
    await run("iptables", ["-w", "5", ...args]);
    return true;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT") throw new Error("iptables is not installed on this host");
    return false;
  }
}

/** Adds the fence for a sandbox's bridge unless it is there (idempotent). */
export async function fenceBridge(bridge: string): Promise<void> {
  for (const spec of rejects(bridge)) {
    if (await iptables(["-C", ...spec])) continue;
    if (!(await iptables(["-I", ...spec])))
      throw new Error(
        `could not fence sandbox bridge ${bridge} on the host (iptables -I ${spec.join(" ")})`,
      );
  }
  // The resolver exceptions go on top, above the rejects, every time (moved if they sank).
  for (const spec of accepts(bridge)) {
    while (await iptables(["-D", ...spec])) {}
    if (!(await iptables(["-I", ...spec])))
      throw new Error(`could not let sandbox bridge ${bridge} reach the host's resolver`);
  }
}

/** Removes the fence once the sandbox and its bridge are gone. */
export async function unfenceBridge(bridge: string): Promise<void> {
  for (const spec of [...accepts(bridge), ...rejects(bridge)]) {
    while (await iptables(["-D", ...spec])) {}
  }
}
