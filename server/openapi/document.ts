// The OpenAPI document of the public REST API, generated from the REST procedures
// (router.ts): their paths, zod inputs and output shapes. `npm run api:client` writes it to
// openapi.json (served at /api/v1/openapi.json) with the typed client's types beside it.
import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { auditExportPath } from "./export-path.ts";
import { restBasePath, restRouter } from "./router.ts";

let cached: OpenAPIObject | undefined;

// The generator describes a refused input's issues by message only; ours also name the
// field (handler.ts), so the document says so.
type SchemaObject = NonNullable<NonNullable<OpenAPIObject["components"]>["schemas"]>[string];
const issueSchema: SchemaObject = {
  type: "object",
  properties: {
    path: {
      type: "array",
      items: { anyOf: [{ type: "string" }, { type: "integer" }] },
      description: "Where in the input: field names and list positions",
    },
    message: { type: "string" },
  },
  required: ["path", "message"],
};

function withIssuePaths(document: OpenAPIObject): OpenAPIObject {
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    const issues = "properties" in schema ? schema.properties?.issues : undefined;
    if (name.startsWith("error.") && issues && "items" in issues) issues.items = issueSchema;
  }
  return document;
}

/** The document (the same object every call: it depends on the code only). */
export function openApiDocument(): OpenAPIObject {
  cached ??= withIssuePaths(
    generateOpenApiDocument(restRouter, {
      title: "Corral API",
      // The version of the API (its path says v1), not of the package.
      version: "1.0.0",
      description:
        "Automate an organisation in Corral: agents, tasks, members and the audit log. " +
        "Authenticate with an API key (`Authorization: Bearer crl_…`, made under API keys); " +
        "each call needs the key to be scoped for the permission it uses and its maker's role " +
        "to allow it. Every change is recorded in the organisation's audit log.",
      baseUrl: restBasePath,
      paths: auditExportPath,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An organisation API key: crl_…",
        },
      },
    }),
  );
  return cached;
}
