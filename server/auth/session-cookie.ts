// The session id inside Auth.js's session cookie. The cookie is an encrypted JWT and opening
// it costs about a millisecond of CPU (key derivation and decryption), so what a cookie opens
// to is remembered: the same cookie always opens to the same id, and its expiry is checked on
// every use.
import { decode, getToken } from "next-auth/jwt";

const opened = new Map<string, { sid: string; expiresAtMs: number }>();
const maxRemembered = 20_000;

export async function sessionIdFromCookie(
  requestHeaders: Headers,
  options: { secret: string; secure: boolean },
): Promise<string | null> {
  // Only the cookie: Auth.js would also read a bearer token, which here means an API key.
  const cookie = requestHeaders.get("cookie");
  if (!cookie) return null;
  const token = await getToken({
    req: { headers: new Headers({ cookie }) },
    secret: options.secret,
    secureCookie: options.secure,
    raw: true,
  });
  if (!token) return null;
  const known = opened.get(token);
  if (known) {
    if (known.expiresAtMs > Date.now()) return known.sid;
    opened.delete(token);
    return null;
  }
  const cookieName = `${options.secure ? "__Secure-" : ""}authjs.session-token`;
  const payload = await decode({ token, secret: options.secret, salt: cookieName }).catch(
    () => null,
  );
  const sid = typeof payload?.sid === "string" ? payload.sid : null;
  if (!sid) return null;
  const expiresAtMs = typeof payload?.exp === "number" ? payload.exp * 1000 : 0;
  if (expiresAtMs <= Date.now()) return null;
  if (opened.size >= maxRemembered) {
    const oldest = opened.keys().next().value;
    if (oldest !== undefined) opened.delete(oldest);
  }
  opened.set(token, { sid, expiresAtMs });
  return sid;
}
