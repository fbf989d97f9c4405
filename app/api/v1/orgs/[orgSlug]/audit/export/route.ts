import { GET as exportAuditLog } from "@/app/api/orgs/[slug]/audit/export/route.ts";

export const dynamic = "force-dynamic";

// GET /api/v1/orgs/:orgSlug/audit/export — the audit export where the REST API's document
// (and so its typed client) finds it; the same handler as /api/orgs/:slug/audit/export.
export function GET(req: Request, props: { params: Promise<{ orgSlug: string }> }) {
  return exportAuditLog(req, { params: props.params.then(({ orgSlug }) => ({ slug: orgSlug })) });
}
