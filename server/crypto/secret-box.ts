// Secrets at rest: AES-256-GCM with a random nonce, stored as `v1.<nonce>.<tag>.<ciphertext>`
// (base64url). The version prefix leaves room for key rotation.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { deriveKey } from "./keys.ts";

export function seal(plaintext: string, key = deriveKey("secret-box")): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", nonce, cipher.getAuthTag(), body].map((p) => p.toString("base64url")).join(".");
}

export function unseal(sealed: string, key = deriveKey("secret-box")): string {
  const [version, nonce, tag, body] = sealed.split(".");
  if (version !== "v1" || !nonce || !tag || body === undefined)
    throw new Error("sealed secret is malformed");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([
    decipher.update(Buffer.from(body, "base64url")),
    decipher.final(),
  ]).toString("utf8");
}
