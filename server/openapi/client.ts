// The typed client of the public REST API: openapi-fetch over the types generated from the
// OpenAPI document (schema.gen.ts). Paths, parameters, bodies and answers are all typed:
//   const api = corralClient({ url: "https://corral.example", apiKey: "crl_…" });
//   const { data, error } = await api.GET("/orgs/{orgSlug}/agents", {
//     params: { path: { orgSlug: "acme" } },
//   });
import createClient from "openapi-fetch";
import type { paths } from "./schema.gen.ts";

export type { components, paths } from "./schema.gen.ts";

export interface CorralClientOptions {
  /** Where Corral is served, e.g. https://corral.example.com */
  url: string;
  /** An organisation API key (crl_…). */
  apiKey: string;
  /** For tests and special transports; the global fetch by default. */
  fetch?: typeof fetch;
}

export function corralClient(options: CorralClientOptions) {
  return createClient<paths>({
    baseUrl: new URL("/api/v1", options.url).href,
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch && { fetch: options.fetch }),
  });
}

export type CorralClient = ReturnType<typeof corralClient>;
