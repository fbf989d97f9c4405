import { baseURL } from "../playwright.config.ts";
import { startOidcProvider } from "./oidc-provider.ts";

export default async function setup() {
  const server = await startOidcProvider(`${baseURL}/api/auth/callback/oidc`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
