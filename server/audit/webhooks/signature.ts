// How a webhook receiver knows a delivery came from us: `Corral-Signature: t=<unix seconds>,
// v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the webhook's secret>`. Receivers should also
// refuse timestamps more than a few minutes old (replays).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const signatureHeader = "corral-signature";
export const webhookSecretPrefix = "whsec_";

export function newWebhookSecret(): string {
  return `${webhookSecretPrefix}${randomBytes(32).toString("base64url")}`;
}

export function signDelivery(secret: string, body: string, at = new Date()): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** For receivers (and our tests): is `header` a valid signature of `body`, made recently? */
export function verifyDelivery(
  secret: string,
  body: string,
  header: string,
  toleranceSeconds = 300,
  now = new Date(),
): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(
    createHmac("sha256", secret).update(`${t}.${body}`).digest("hex"),
    "hex",
  );
  const found = Buffer.from(String(parts.v1 ?? ""), "hex");
  return expected.length === found.length && timingSafeEqual(expected, found);
}
