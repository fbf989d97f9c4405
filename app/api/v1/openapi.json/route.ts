import { openApiDocument } from "@/server/openapi/document.ts";

export const dynamic = "force-dynamic";

// GET /api/v1/openapi.json — the REST API's OpenAPI 3.1 document (no key needed).
export function GET() {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
