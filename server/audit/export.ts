// Exports of exactly a filtered view of the audit log, as CSV or NDJSON, streamed in
// keyset batches so memory stays flat however many months are exported.
import type { Db } from "../db/client.ts";
import type { AuditEvent } from "../db/generated/client.ts";
import { type AuditFilters, auditWhere } from "./filters.ts";

export const exportFormats = ["csv", "ndjson"] as const;
export type ExportFormat = (typeof exportFormats)[number];

const batchSize = 5000;

const columns = [
  "seq",
  "occurredAt",
  "actorType",
  "actorId",
  "actorName",
  "action",
  "targetType",
  "targetId",
  "targetName",
  "outcome",
  "ipAddress",
  "userAgent",
  "requestId",
  "metadata",
  "prevHash",
  "hash",
] as const satisfies readonly (keyof AuditEvent)[];

/** Newest first, like the viewer. */
export async function* filteredEvents(db: Db, chain: string, filters: AuditFilters) {
  const where = auditWhere(chain, filters);
  let cursor: number | undefined;
  for (;;) {
    const events = await db.auditEvent.findMany({
      where: cursor ? { AND: [where, { seq: { lt: cursor } }] } : where,
      orderBy: { seq: "desc" },
      take: batchSize,
    });
    yield* events;
    if (events.length < batchSize) return;
    cursor = events.at(-1)?.seq ?? undefined;
  }
}

/**
 * One CSV cell. Text a spreadsheet would run as a formula (starting with = + - @, tab or
 * carriage return) gets a leading apostrophe, so it shows as text.
 */
export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ""
      : value instanceof Date
        ? value.toISOString()
        : typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

function line(event: AuditEvent, format: ExportFormat): string {
  if (format === "ndjson")
    return `${JSON.stringify(Object.fromEntries(columns.map((c) => [c, event[c]])))}\n`;
  return `${columns.map((c) => csvCell(event[c])).join(",")}\r\n`;
}

export function exportStream(
  db: Db,
  chain: string,
  filters: AuditFilters,
  format: ExportFormat,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const events = filteredEvents(db, chain, filters);
  let headerSent = format !== "csv";
  return new ReadableStream({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(`${columns.join(",")}\r\n`));
        return;
      }
      // One database batch's worth of lines per pull keeps the pipe full without buffering.
      let chunk = "";
      for (let i = 0; i < batchSize; i++) {
        const next = await events.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += line(next.value, format);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await events.return(undefined);
    },
  });
}
