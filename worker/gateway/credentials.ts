// The identities the gateway hands agents, derived from one key that never leaves this host:
// a proxy token per agent generation (a new run gets a new token, the old one stops working)
// and opaque placeholders for SDKs that insist on a key variable. Derived, not stored, so a
// restarted worker recognises the agents it started; the key file is the host's alone.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export class GatewayKeys {
  /** Tokens already derived, by tenant, agent and generation (checked on every request). */
  private readonly tokens = new Map<string, string>();

  private constructor(private readonly key: Buffer) {}

  /** Reads the host's gateway key from `stateDir`, creating it (mode 600) the first time. */
  static async load(stateDir: string): Promise<GatewayKeys> {
    const file = path.join(stateDir, "gateway.key");
    if (!existsSync(file)) {
      await mkdir(stateDir, { recursive: true, mode: 0o700 });
      await writeFile(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== "EEXIST") throw error; // another process made it first
        },
      );
    }
    await chmod(file, 0o600);
    const key = Buffer.from((await readFile(file, "utf8")).trim(), "base64");
    if (key.length < 32)
      throw new Error(`${file} does not hold a gateway key; remove it to make a new one`);
    return new GatewayKeys(key);
  }

  static fromKey(key: Buffer): GatewayKeys {
    return new GatewayKeys(key);
  }

  private derive(...parts: (string | number)[]): string {
    return createHmac("sha256", this.key).update(parts.join("\0")).digest("base64url");
  }

  /** What the agent of this generation puts in Proxy-Authorization (as the password). */
  token(tenantId: string, agentId: string, generation: number): string {
    const key = `${tenantId}\0${agentId}\0${generation}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = this.derive("token", tenantId, agentId, generation).slice(0, 32);
      if (this.tokens.size > 100_000) this.tokens.clear();
      this.tokens.set(key, token);
    }
    return token;
  }

  checkToken(tenantId: string, agentId: string, generation: number, given: string): boolean {
    const wanted = Buffer.from(this.token(tenantId, agentId, generation));
    const offered = Buffer.from(given);
    return offered.length === wanted.length && timingSafeEqual(offered, wanted);
  }

  /** Stands in for a secret in the agent's environment; useless to anyone but the gateway. */
  placeholder(tenantId: string, agentId: string, envName: string): string {
    return `corral-placeholder-${this.derive("placeholder", tenantId, agentId, envName).slice(0, 32)}`;
  }
}
