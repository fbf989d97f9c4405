import { handleRestRequest } from "@/server/openapi/handler.ts";

export const dynamic = "force-dynamic";

// The public REST API: /api/v1/orgs/{orgSlug}/… with an API key as Bearer. What it offers
// is described by /api/v1/openapi.json (server/openapi/).
export const GET = handleRestRequest;
export const POST = handleRestRequest;
export const PUT = handleRestRequest;
export const PATCH = handleRestRequest;
export const DELETE = handleRestRequest;
