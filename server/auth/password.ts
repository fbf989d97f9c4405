// Password hashing with argon2id (OWASP's recommended parameters are the library defaults).
import { hash, verify } from "@node-rs/argon2";

// `Algorithm.Argon2id` is a const enum, which isolatedModules cannot inline.
const argon2id = 2;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: argon2id });
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

// Verifying against this keeps sign-in time the same whether or not the email exists.
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword("corral-timing-equaliser");
  await verifyPassword(await dummyHash, password);
}
