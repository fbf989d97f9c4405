import { baseURL } from "../playwright.config.ts";
import { startOidcProvider } from "./oidc-provider.ts";
import { startUpstream } from "./upstream.ts";

export default async function setup() {
  const server = await startOidcProvider(`${baseURL}/api/auth/callback/oidc`);
  const upstream = await startUpstream();
  return async () => {
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}
