// Limits on the endpoints attackers hammer: sign-in, sign-up, password reset, invitations.
// Counted per IP address and per account in PostgreSQL (rate-limiter-flexible's Prisma
// store), so every web process shares them and they survive restarts.
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import { DomainError } from "../../common/errors.ts";
import { webConfig } from "../core/config.ts";
import { db } from "../db/client.ts";

const minute = 60;

/** points per duration (seconds); blockSeconds keeps a key locked after it runs out. */
export const ratePolicies = {
  /** points: CORRAL_SIGN_IN_ATTEMPTS_PER_IP (default 30): many people behind one NAT need more. */
  "sign-in:ip": { points: 30, duration: 15 * minute },
  "sign-in:account-failures": { points: 5, duration: 15 * minute },
  "sign-up:ip": { points: 10, duration: 60 * minute },
  "reset:ip": { points: 10, duration: 60 * minute },
  "reset:account": { points: 3, duration: 60 * minute },
  "magic-link:ip": { points: 10, duration: 60 * minute },
  "magic-link:account": { points: 5, duration: 60 * minute },
  "invite:ip": { points: 60, duration: 60 * minute },
  "invite:account": { points: 30, duration: 60 * minute },
  "enrol:ip": { points: 30, duration: 60 * minute },
} as const;

export type RatePolicy = keyof typeof ratePolicies;

/** How many hits a policy allows per window (the per-address sign-in limit is configurable). */
export function pointsOf(policy: RatePolicy): number {
  return policy === "sign-in:ip"
    ? webConfig().CORRAL_SIGN_IN_ATTEMPTS_PER_IP
    : ratePolicies[policy].points;
}

const limiters = new Map<RatePolicy, RateLimiterPrisma>();

function limiter(policy: RatePolicy): RateLimiterPrisma {
  let found = limiters.get(policy);
  if (!found) {
    found = new RateLimiterPrisma({
      storeClient: db(),
      tableName: "rateLimiterFlexible",
      keyPrefix: policy,
      ...ratePolicies[policy],
      points: pointsOf(policy),
    });
    limiters.set(policy, found);
  }
  return found;
}

export class RateLimitedError extends DomainError {
  constructor(
    what: string,
    readonly retryAfterSeconds: number,
  ) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      "TOO_MANY_REQUESTS",
      `Too many ${what}. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    );
  }
}

/** Counts one hit on `key`; throws RateLimitedError (naming `what`) once the policy is spent. */
export async function hit(policy: RatePolicy, key: string | null, what: string): Promise<void> {
  if (!key) return;
  try {
    await limiter(policy).consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes)
      throw new RateLimitedError(what, error.msBeforeNext / 1000);
    throw error;
  }
}

/** Seconds until `key` may try again, or 0 when it has points left. */
export async function lockedFor(policy: RatePolicy, key: string): Promise<number> {
  const state = await limiter(policy).get(key);
  if (!state || state.consumedPoints < pointsOf(policy)) return 0;
  return Math.ceil(state.msBeforeNext / 1000);
}

/** Forgets `key`'s count (a successful sign-in clears its failures). */
export async function forget(policy: RatePolicy, key: string): Promise<void> {
  await limiter(policy).delete(key);
}
