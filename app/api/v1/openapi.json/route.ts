import document from "@/server/openapi/openapi.json";

export const dynamic = "force-dynamic";

// GET /api/v1/openapi.json — the REST API's OpenAPI 3.1 document (no key needed), as
// generated from the REST procedures by `npm run api:client` (server/openapi/).
export function GET() {
  return Response.json(document, { headers: { "cache-control": "public, max-age=300" } });
}
