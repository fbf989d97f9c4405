// Exports of exactly a filtered view of the audit log, as CSV or NDJSON. PostgreSQL writes
// the rows itself (COPY … TO STDOUT) and they stream to the client with backpressure, so
// memory stays flat and the rate is the database's, however many months are exported.
import { Readable } from "node:stream";
import type { PoolClient } from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { PgPool } from "../db/pg-pool.ts";
import { auditFilterSql } from "./filter-sql.ts";
import type { AuditFilters } from "./filters.ts";

export const exportFormats = ["csv", "ndjson"] as const;
export type ExportFormat = (typeof exportFormats)[number];

/**
 * Columns in export order: name → SQL, whether CSV exports pass it through csv_safe, and how
 * NDJSON writes its value: a number or JSON as it is, "plain" text (dates, enum names,
 * hashes: nothing to escape) between quotes, any other text escaped by to_json.
 */
type JsonKind = "number" | "plain" | "text" | "json";
const columns: [string, string, "text" | "raw", JsonKind][] = [
  ["seq", "seq", "raw", "number"],
  ["occurredAt", `to_char("occurredAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`, "raw", "plain"],
  ["actorType", `"actorType"::text`, "raw", "plain"],
  ["actorId", `"actorId"`, "text", "text"],
  ["actorName", `"actorName"`, "text", "text"],
  ["action", "action", "text", "text"],
  ["targetType", `"targetType"`, "text", "text"],
  ["targetId", `"targetId"`, "text", "text"],
  ["targetName", `"targetName"`, "text", "text"],
  ["outcome", "outcome::text", "raw", "plain"],
  ["ipAddress", `"ipAddress"`, "text", "text"],
  ["userAgent", `"userAgent"`, "text", "text"],
  ["requestId", `"requestId"`, "text", "text"],
  ["metadata", "metadata", "raw", "json"],
  ["prevHash", `"prevHash"`, "raw", "plain"],
  ["hash", "hash", "raw", "plain"],
];

const jsonValue: Record<JsonKind, (sql: string) => string> = {
  number: (sql) => `${sql}::text`,
  plain: (sql) => `'"' || ${sql} || '"'`,
  text: (sql) => `to_json(${sql})::text`,
  json: (sql) => `${sql}::text`,
};

/**
 * One JSON object per row, the same text row_to_json writes, put together from constant
 * keys: row_to_json escapes every key of every row and every value through to_json, which
 * made NDJSON exports a third slower than CSV.
 */
export const ndjsonLine = columns
  .map(
    ([name, sql, , kind], i) =>
      `'${i === 0 ? "{" : ","}"${name}":' || coalesce(${jsonValue[kind](sql)}, 'null')`,
  )
  .concat(`'}'`)
  .join(" || ");

/** The export's columns as row_to_json would name them (for tests comparing the two). */
export const exportColumnsSql = columns.map(([name, sql]) => `${sql} AS "${name}"`).join(", ");

/**
 * Text a spreadsheet would run as a formula (starting with = + - @, tab or carriage return)
 * gets a leading apostrophe, so it shows as text.
 */
const csvSafe = (sql: string) =>
  `CASE WHEN ${sql} ~ '^[=+\\-@\\t\\r]' THEN '''' || ${sql} ELSE ${sql} END`;

function copyStatement(where: string, format: ExportFormat): string {
  const from = `FROM "AuditEvent" WHERE ${where} ORDER BY seq DESC`;
  if (format === "csv") {
    const select = columns
      .map(([name, sql, kind]) => `${kind === "text" ? csvSafe(sql) : sql} AS "${name}"`)
      .join(", ");
    return `COPY (SELECT ${select} ${from}) TO STDOUT WITH (FORMAT csv, HEADER, FORCE_QUOTE *)`;
  }
  // One JSON object per line. CSV mode with separator and quote characters that JSON always
  // escapes (U+001F, U+001E) writes each line verbatim; text mode would double backslashes.
  return `COPY (SELECT ${ndjsonLine} ${from}) TO STDOUT WITH (FORMAT csv, DELIMITER E'\\x1f', QUOTE E'\\x1e')`;
}

/** Exports one organisation may run at once: a tenant cannot hold every export connection. */
export const maxExportsPerOrg = 2;
/** How long one export's query may run, a slow reader included. */
export const exportTimeoutSeconds = 600;

/** The organisation already runs as many exports as it may. */
export class ExportsBusy extends Error {
  override name = "ExportsBusy";
}

const running = new Map<string, number>();

/**
 * Opens the export: one pooled connection in a read-only transaction, holding the filter
 * values as settings, with COPY streaming out. The connection goes back to the pool when the
 * last row is sent, and is dropped if the reader goes away mid-way.
 */
export async function exportStream(
  pool: PgPool,
  /** The organisation's id, which names its chain. */
  chain: string,
  filters: AuditFilters,
  format: ExportFormat,
): Promise<ReadableStream<Uint8Array>> {
  const { where, settings } = auditFilterSql(chain, filters);
  const names = Object.keys(settings);
  const now = running.get(chain) ?? 0;
  if (now >= maxExportsPerOrg)
    throw new ExportsBusy(
      `${now} exports of this organisation are already running; try again when one has finished.`,
    );
  running.set(chain, now + 1);
  // An export counts until its reader has it all (or gives up), not just until the database
  // has sent it: a slow reader is what holds a tenant's share.
  let counted = true;
  const done = () => {
    if (!counted) return;
    counted = false;
    const left = (running.get(chain) ?? 1) - 1;
    if (left > 0) running.set(chain, left);
    else running.delete(chain);
  };
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    done();
    throw new ExportsBusy(
      `exports are busy right now (${(error as Error).message}); try again shortly.`,
    );
  }
  let released = false;
  const release = (discard: boolean) => {
    if (released) return;
    released = true;
    client.release(discard);
  };
  try {
    await client.query("BEGIN READ ONLY");
    // A reader that stalls cannot hold the connection for ever.
    await client.query(`SET LOCAL statement_timeout = '${exportTimeoutSeconds}s'`);
    // The filter values, and the tenant scope that row-level security reads (the chain of an
    // organisation's events is named by its id).
    const values: [string, string][] = [
      ["corral.org_id", chain],
      ...names.map((n): [string, string] => [`corral.${n}`, settings[n] ?? ""]),
    ];
    await client.query(
      `SELECT ${values.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(", ")}`,
      values.flat(),
    );
    const copy = client.query(copyTo(copyStatement(where, format)));
    copy.on("end", () => {
      client.query("COMMIT").then(
        () => release(false),
        () => release(true),
      );
    });
    copy.on("error", () => release(true));
    copy.on("close", () => {
      if (!copy.readableEnded) release(true);
    });
    const rows = (Readable.toWeb(copy) as ReadableStream<Uint8Array>).getReader();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await rows.read();
          if (next.done) {
            done();
            controller.close();
          } else controller.enqueue(next.value);
        } catch (error) {
          done();
          controller.error(error);
        }
      },
      cancel(reason) {
        done();
        return rows.cancel(reason);
      },
    });
  } catch (error) {
    release(true);
    done();
    throw error;
  }
}
