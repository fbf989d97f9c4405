// Where the gateway may connect. It resolves names itself (agents have no DNS), checks every
// address after resolution and connects to the address it checked, so a name cannot be
// rebound between check and use. Loopback, private, link-local and metadata addresses are
// refused unless the operator allows a range (CORRAL_GATEWAY_ALLOW_RANGES).
import dns from "node:dns/promises";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { isInternalAddress } from "../../common/internal-addresses.ts";

/** A request the gateway will not carry; the message is shown to the agent as it is. */
export class EgressRefused extends Error {
  override name = "EgressRefused";
  constructor(
    message: string,
    readonly status = 403,
  ) {
    super(message);
  }
}

export interface ResolverOptions {
  /** CIDR ranges of internal addresses the operator lets agents reach (e.g. a lab network). */
  allowRanges?: string[];
  /** Names resolved without DNS (air-gapped hosts, tests), like /etc/hosts. */
  staticHosts?: Record<string, string>;
}

export interface Resolved {
  address: string;
  family: 4 | 6;
}

export function parseCidrs(ranges: string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [net, bits] = range.split("/");
    const family = isIP(net ?? "");
    if (!net || family === 0) throw new Error(`"${range}" is not an address range (CIDR)`);
    const type = family === 4 ? "ipv4" : "ipv6";
    list.addSubnet(net, Number(bits ?? (family === 4 ? 32 : 128)), type);
  }
  return list;
}

/** How long a checked answer is reused: lookups cost more than the rest of a request. */
const cacheMs = 5000;

export class UpstreamResolver {
  private readonly allowed: BlockList;
  private readonly staticHosts: Map<string, string>;
  /** host → the checked answer (or refusal), shared by concurrent requests for that host. */
  private readonly cache = new Map<string, { until: number; answer: Promise<Resolved> }>();

  constructor(options: ResolverOptions = {}) {
    this.allowed = parseCidrs(options.allowRanges ?? []);
    this.staticHosts = new Map(
      Object.entries(options.staticHosts ?? {}).map(([name, ip]) => [name.toLowerCase(), ip]),
    );
  }

  private permitted(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return (
      !isInternalAddress(address) || this.allowed.check(address, family === 4 ? "ipv4" : "ipv6")
    );
  }

  /**
   * The address to connect to for `host`, or EgressRefused saying why not. Callers connect
   * to exactly this address, so a name cannot be rebound between the check and the use.
   */
  resolve(host: string): Promise<Resolved> {
    const key = host.toLowerCase();
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.answer;
    const answer = this.lookupAndCheck(key);
    this.cache.set(key, { until: now + cacheMs, answer });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value as string);
    return answer;
  }

  private async lookupAndCheck(host: string): Promise<Resolved> {
    const name = host.toLowerCase().replace(/^\[|\]$/g, "");
    let addresses: { address: string; family: number }[];
    if (isIP(name)) addresses = [{ address: name, family: isIP(name) }];
    else if (this.staticHosts.has(name)) {
      const ip = this.staticHosts.get(name) as string;
      addresses = [{ address: ip, family: isIP(ip) }];
    } else {
      try {
        addresses = await dns.lookup(name, { all: true, verbatim: true });
      } catch {
        throw new EgressRefused(`${host} could not be resolved`, 502);
      }
    }
    // Every answer must be public: a name with one internal address is refused outright.
    if (addresses.length === 0 || !addresses.every((a) => this.permitted(a.address)))
      throw new EgressRefused(
        `${host} resolves to an internal address; agents may only reach public hosts`,
      );
    const first = addresses[0] as { address: string; family: number };
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  /** For http(s).Agent: the same checks at connect time. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (r) =>
        options.all
          ? callback(null, [{ address: r.address, family: r.family }] as never)
          : callback(null, r.address, r.family),
      (error: Error) => callback(error as NodeJS.ErrnoException, "", 4),
    );
  };
}
