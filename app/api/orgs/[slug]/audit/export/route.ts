import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { NextResponse } from "next/server";
import { ExportsBusy, exportFormats, exportStream } from "@/server/audit/export.ts";
import { auditFilterSchema } from "@/server/audit/filters.ts";
import { recordAuditEvent } from "@/server/audit/record.ts";
import { resolveTenantAccess } from "@/server/core/tenant-access.ts";
import { unstorableTextIn, unstorableTextMessage } from "@/server/core/text.ts";
import { createContext } from "@/server/core/trpc.ts";
import { pgPool } from "@/server/db/pg-pool.ts";

export const dynamic = "force-dynamic";

// GET /api/orgs/:slug/audit/export?format=csv|ndjson&action=…&from=… — the filtered view,
// streamed. Signed-in admins, or an API key scoped `audit.export`.
export async function GET(req: Request, props: { params: Promise<{ slug: string }> }) {
  const { slug } = await props.params;
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const format = exportFormats.find((f) => f === (params.format ?? "csv"));
  if (!format) return NextResponse.json({ error: "format must be csv or ndjson" }, { status: 400 });
  const unstorable = unstorableTextIn(params);
  if (unstorable) {
    return NextResponse.json({ error: unstorableTextMessage(unstorable) }, { status: 400 });
  }
  const filters = auditFilterSchema.safeParse(params);
  if (!filters.success) {
    const issue = filters.error.issues[0];
    return NextResponse.json(
      { error: `invalid filter ${issue?.path.join(".")}: ${issue?.message}` },
      { status: 400 },
    );
  }

  const ctx = await createContext({ headers: req.headers });
  let access: Awaited<ReturnType<typeof resolveTenantAccess>>;
  try {
    access = await resolveTenantAccess(ctx, slug, "audit.export");
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return NextResponse.json(
      { error: error.message },
      { status: getHTTPStatusCodeFromError(error) },
    );
  }

  // Exports are audited themselves, before the first row leaves.
  await ctx.db.$transaction((tx) =>
    recordAuditEvent(tx, {
      orgId: access.org.id,
      actor: access.acting.audit,
      action: "audit.exported",
      request: ctx.request,
      metadata: { format, filters: JSON.parse(JSON.stringify(filters.data)) },
    }),
  );
  const stamp = new Date().toISOString().replaceAll(":", "-").slice(0, 19);
  let body: ReadableStream<Uint8Array>;
  try {
    body = await exportStream(pgPool(), access.org.id, filters.data, format);
  } catch (error) {
    if (!(error instanceof ExportsBusy)) throw error;
    return NextResponse.json(
      { error: error.message },
      { status: 429, headers: { "retry-after": "10" } },
    );
  }
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
      "content-disposition": `attachment; filename="audit-${slug}-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
}
