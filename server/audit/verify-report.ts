// How a verified chain is told to an operator, one line per chain: shared by
// `npm run audit:verify` and `corral audit verify`.
import type { ChainReport } from "./verify.ts";

export function chainReportLine(r: ChainReport): string {
  const legacy = r.unchained ? `, ${r.unchained} recorded before chaining` : "";
  const purged = r.fromSeq > 1 ? ` from seq ${r.fromSeq} (earlier ones purged by retention)` : "";
  if (r.ok) return `ok      ${r.chain}: ${r.checked} events${purged}${legacy}`;
  const b = r.broken;
  return `BROKEN  ${r.chain}: ${b?.problem} at event ${b?.eventId} (seq ${b?.seq}): expected ${b?.expected}, found ${b?.found}`;
}

export function chainsSummaryLine(reports: ChainReport[]): string {
  return `${reports.length} chains, ${reports.filter((r) => !r.ok).length} broken`;
}
