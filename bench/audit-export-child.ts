// Run by bench/audit.ts in its own process, so peak RSS is the export's alone. Streams one
// organisation's whole log through exportStream (or, as the baseline, a bare COPY of the
// same rows) and prints {rows, ms, peakRssMb} as JSON.
import { Writable } from "node:stream";
import { to as copyTo } from "pg-copy-streams";
import { exportStream } from "../server/audit/export.ts";
import { createPgPool } from "../server/db/pg-pool.ts";

const [url, chain, mode] = process.argv.slice(2);
if (!url || !chain || !mode)
  throw new Error("usage: audit-export-child <url> <chain> <csv|ndjson|raw>");
const pool = createPgPool(url, 1);

let rows = 0;
const started = performance.now();
if (mode === "raw") {
  // Baseline: PostgreSQL's own CSV of the same rows, no formatting, filters or transaction.
  const client = await pool.connect();
  const copy = client.query(
    copyTo(
      `COPY (SELECT * FROM "AuditEvent" WHERE chain = '${chain.replaceAll("'", "''")}' ORDER BY seq DESC) TO STDOUT WITH (FORMAT csv)`,
    ),
  );
  for await (const chunk of copy as AsyncIterable<Buffer>) rows += count(chunk);
  client.release();
} else {
  const stream = await exportStream(pool, chain, {}, mode === "csv" ? "csv" : "ndjson");
  await stream.pipeTo(
    Writable.toWeb(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          rows += count(chunk);
          done();
        },
      }),
    ),
  );
  if (mode === "csv") rows -= 1; // the header
}
const ms = performance.now() - started;
await pool.end();
console.log(
  JSON.stringify({ rows, ms, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }),
);

function count(chunk: Buffer): number {
  let n = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  return n;
}
