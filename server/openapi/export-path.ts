// The audit export in the document. It is no tRPC procedure (it streams rows straight from
// PostgreSQL's COPY: app/api/orgs/[slug]/audit/export), so it is described here, from the
// same filter schema, and served under /api/v1 too (app/api/v1/orgs/[orgSlug]/audit/export).

import { z } from "zod";
import type { ZodOpenApiPathsObject } from "zod-openapi";
import { exportFormats } from "../audit/export.ts";
import { auditFilterSchema } from "../audit/filters.ts";

const refusal = z.object({ error: z.string() }).meta({ id: "ExportRefusal" });
const refused = (description: string) => ({
  description,
  content: { "application/json": { schema: refusal } },
});

export const auditExportPath: ZodOpenApiPathsObject = {
  "/orgs/{orgSlug}/audit/export": {
    get: {
      operationId: "exportAuditEvents",
      summary: "The filtered audit log as one CSV or NDJSON download, streamed",
      description:
        "Oldest first, exactly the events the filters select. Needs `audit.export`; the " +
        "export itself is recorded in the audit log (audit.exported) before the first row.",
      tags: ["audit"],
      security: [{ apiKey: [] }],
      requestParams: {
        path: z.object({ orgSlug: z.string().min(1).max(64) }),
        query: auditFilterSchema.extend({ format: z.enum(exportFormats).default("csv") }),
      },
      responses: {
        "200": {
          description: "The events, streamed",
          content: {
            "text/csv": { schema: z.string() },
            "application/x-ndjson": { schema: z.string() },
          },
        },
        "400": refused("A filter or the format was refused"),
        "401": refused("No API key, or one that is revoked or expired"),
        "403": refused("The key's scopes or its maker's role do not allow audit.export"),
        "404": refused("No such organisation (or not the key's)"),
        "429": refused("Too many exports at once; retry after the Retry-After seconds"),
      },
    },
  },
};
