// A real OpenID Connect provider (the `oidc-provider` package) on loopback, standing in for
// a company's identity provider. Its built-in login page accepts any username; the user's
// email is the username.
import type { Server } from "node:http";
import Provider from "oidc-provider";

export const oidc = {
  port: 3190,
  issuer: "http://localhost:3190",
  clientId: "corral-e2e",
  clientSecret: "corral-e2e-client-secret-value",
};

export function startOidcProvider(redirectUri: string): Promise<Server> {
  const provider = new Provider(oidc.issuer, {
    clients: [
      {
        client_id: oidc.clientId,
        client_secret: oidc.clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    // Put email in the ID token, which Auth.js's oidc type reads.
    conformIdTokenClaims: false,
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: id,
          email_verified: true,
          name: `SSO ${id.split("@")[0]}`,
        }),
      };
    },
  });
  return new Promise((resolve) => {
    const server = provider.listen(oidc.port, () => resolve(server));
  });
}
