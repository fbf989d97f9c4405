// Auth.js wiring: email + password sign-in, sessions kept server-side (sessions.ts).
// Touch this file to add a sign-in method (magic link, OIDC) or change session lifetime.
import { headers as nextHeaders } from "next/headers";
import NextAuth, { CredentialsSignin } from "next-auth";
import type { OIDCConfig } from "next-auth/providers";
import Credentials from "next-auth/providers/credentials";
import Nodemailer from "next-auth/providers/nodemailer";
import { describeError } from "../../common/errors.ts";
import { recordAuditEvent } from "../audit/record.ts";
import { type WebConfig, webConfig } from "../core/config.ts";
import { db } from "../db/client.ts";
import { webLogger } from "../logging/logger.ts";
import { sendMail } from "../mail/mailer.ts";
import { magicLinkMail } from "../mail/templates.ts";
import { corralAdapter } from "./adapter.ts";
import { claimProvenAddress, ssoLinkAllowed } from "./address-proof.ts";
import { burnPasswordCheck, verifyPassword } from "./password.ts";
import { forget, hit, lockedFor, RateLimitedError } from "./rate-limits.ts";
import { requestInfo } from "./request-info.ts";
import { signInSchema } from "./schemas.ts";
import { createSession, revokeSession } from "./sessions.ts";

declare module "next-auth" {
  interface Session {
    sid?: string;
  }
}

declare module "@auth/core/jwt" {
  interface JWT {
    sid?: string;
  }
}

class InvalidCredentials extends CredentialsSignin {
  override code = "invalid_credentials";
}

/** Too many attempts: from this network ("rate_limited") or on this account ("locked"). */
class SignInRefused extends CredentialsSignin {
  constructor(override code: "rate_limited" | "locked") {
    super();
  }
}

/**
 * The request's headers. Auth.js passes the request to route handlers but none to server
 * actions (our sign-in forms), where Next's request scope still has them: without this, a
 * password sign-in had no client address, so its per-address rate limit never counted.
 */
async function headersOf(req: Request | undefined): Promise<Headers> {
  if (req) return req.headers;
  try {
    return new Headers(await nextHeaders());
  } catch {
    return new Headers(); // outside any request (scripts, tests)
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth(async (req) => {
  const config = webConfig();
  const request = requestInfo(await headersOf(req));
  return {
    secret: config.AUTH_SECRET,
    trustHost: true,
    session: { strategy: "jwt", maxAge: config.CORRAL_SESSION_MAX_AGE_HOURS * 3600 },
    logger: {
      // One line per problem, no stack. Refused passwords are expected (and audited).
      error(error) {
        const type = "type" in error ? String(error.type) : error.name;
        if (type === "CredentialsSignin") return;
        const cause = (error as { cause?: { err?: unknown } }).cause?.err;
        webLogger().error(`auth: ${type}: ${describeError(cause ?? error)}`);
      },
    },
    pages: { signIn: "/sign-in", error: "/sign-in", verifyRequest: "/sign-in/check-email" },
    // Only for magic links and single sign-on: sessions are Corral's own (sessions.ts).
    adapter: corralAdapter(db(), request),
    providers: [
      Nodemailer({
        id: "email",
        name: "Email link",
        server: config.CORRAL_SMTP_URL,
        from: config.CORRAL_MAIL_FROM,
        async sendVerificationRequest({ identifier, url }) {
          await hit("magic-link:ip", request.ipAddress, "sign-in links requested");
          await hit("magic-link:account", identifier, "sign-in links requested");
          await sendMail(magicLinkMail(identifier, url));
        },
      }),
      ...(config.CORRAL_OIDC_ISSUER ? [oidcProvider(config)] : []),
      Credentials({
        credentials: { email: {}, password: {} },
        async authorize(raw) {
          const parsed = signInSchema.safeParse(raw);
          if (!parsed.success) throw new InvalidCredentials();
          const { email, password } = parsed.data;
          const failed = (outcome: "FAILURE" | "DENIED", reason: string, userId?: string) =>
            db().$transaction((tx) =>
              recordAuditEvent(tx, {
                actor: { type: "USER", id: userId, name: email },
                action: "auth.sign_in_failed",
                outcome,
                request,
                metadata: { method: "password", reason },
              }),
            );
          try {
            await hit("sign-in:ip", request.ipAddress, "sign-in attempts");
          } catch (error) {
            if (!(error instanceof RateLimitedError)) throw error;
            await failed("DENIED", "rate_limited");
            throw new SignInRefused("rate_limited");
          }
          // Brute force on one account locks it for the window, right password or not.
          if ((await lockedFor("sign-in:account-failures", email)) > 0) {
            await failed("DENIED", "locked");
            throw new SignInRefused("locked");
          }
          const user = await db().user.findUnique({ where: { email } });
          let ok = false;
          if (user?.passwordHash) ok = await verifyPassword(user.passwordHash, password);
          else await burnPasswordCheck(password);
          if (!user || !ok) {
            await hit("sign-in:account-failures", email, "failed sign-ins").catch(() => undefined);
            await failed("FAILURE", "invalid_credentials", user?.id);
            throw new InvalidCredentials();
          }
          await forget("sign-in:account-failures", email);
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
    ],
    callbacks: {
      // SSO joins an existing account by email only when the provider verified that email.
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc") return true;
        const email = String(profile?.email ?? user.email ?? "").toLowerCase();
        const existing = email ? await db().user.findUnique({ where: { email } }) : null;
        const linked = await db().account.findUnique({
          where: {
            provider_providerAccountId: {
              provider: account.provider,
              providerAccountId: account.providerAccountId,
            },
          },
        });
        return ssoLinkAllowed({
          providerVerifiedEmail: profile?.email_verified === true,
          existingUserByEmail: Boolean(existing),
          alreadyLinked: Boolean(linked),
        });
      },
      // Runs with `user` only at sign-in: open the server-side session then.
      async jwt({ token, user, account, profile }) {
        if (user?.id) {
          const userId = user.id;
          // A sign-in link, or SSO vouching for the email, proves the address.
          const proves =
            account?.provider === "email" ||
            (account?.provider === "oidc" && profile?.email_verified === true);
          token.sid = await db().$transaction(async (tx) => {
            if (proves) await claimProvenAddress(tx, userId, account?.provider ?? "email", request);
            const sid = await createSession(
              tx,
              userId,
              config.CORRAL_SESSION_MAX_AGE_HOURS,
              request,
            );
            await recordAuditEvent(tx, {
              actor: { type: "USER", id: userId, name: user.email ?? userId },
              action: "auth.signed_in",
              request,
              metadata: { method: account?.provider ?? "password" },
            });
            return sid;
          });
        }
        return token;
      },
      session({ session, token }) {
        session.sid = token.sid;
        return session;
      },
    },
    events: {
      // Auth.js creates SSO users unverified; the deployment's provider vouches for the address.
      async linkAccount({ user, account, profile }) {
        const vouched = (profile as { emailVerified?: Date | null }).emailVerified;
        const userId = user.id;
        if (account.provider === "oidc" && vouched && userId) {
          // The first proof of the address: drops what was set up without it.
          await db().$transaction((tx) => claimProvenAddress(tx, userId, "oidc", request));
        }
      },
      async signOut(message) {
        const token = "token" in message ? message.token : null;
        const sid = token?.sid;
        if (!sid) return;
        await db().$transaction(async (tx) => {
          const revoked = await revokeSession(tx, sid);
          if (!revoked) return;
          await recordAuditEvent(tx, {
            actor: { type: "USER", id: revoked.userId, name: token.email ?? revoked.userId },
            action: "auth.signed_out",
            request,
          });
        });
      },
    },
  };
});

/** The deployment's OpenID Connect provider; trusted to assert its users' email addresses. */
function oidcProvider(config: WebConfig): OIDCConfig<Record<string, unknown>> {
  return {
    id: "oidc",
    name: config.CORRAL_OIDC_NAME,
    type: "oidc",
    issuer: config.CORRAL_OIDC_ISSUER,
    clientId: config.CORRAL_OIDC_CLIENT_ID,
    clientSecret: config.CORRAL_OIDC_CLIENT_SECRET,
    checks: ["pkce", "state", "nonce"],
    // The operator chose this provider for the deployment, so an existing account with the
    // same (provider-verified) email is the same person.
    allowDangerousEmailAccountLinking: true,
    profile(claims) {
      const email = String(claims.email ?? "").toLowerCase();
      return {
        id: String(claims.sub),
        email,
        name: String(claims.name ?? email.split("@")[0]),
        emailVerified: claims.email_verified === true ? new Date() : null,
      };
    },
  };
}
