// The audit filters as SQL, for exports streamed with COPY. COPY takes no bind parameters,
// so values are never spliced into the text: each one is set with a parameterised
// `set_config(…, true)` in the export's transaction and read back with current_setting().
// Same semantics as auditWhere (filters.ts); a test holds the two to the same rows.
import { type AuditFilters, actionFilter } from "./filters.ts";

export interface FilterSql {
  /** SQL boolean expression over "AuditEvent". */
  where: string;
  /** Transaction-local settings the expression reads: name → value. */
  settings: Record<string, string>;
}

const setting = (name: string) => `current_setting('corral.${name}')`;
const contains = (column: string, name: string) =>
  `strpos(lower(${column}), lower(${setting(name)})) > 0`;

export function auditFilterSql(chain: string, f: AuditFilters): FilterSql {
  const settings: Record<string, string> = { chain };
  const clauses = [`chain = ${setting("chain")}`, "seq IS NOT NULL"];
  if (f.actor) {
    settings.actor = f.actor;
    clauses.push(`("actorId" = ${setting("actor")} OR ${contains('"actorName"', "actor")})`);
  }
  if (f.action) {
    const match = actionFilter(f.action);
    settings.action = "exact" in match ? match.exact : match.prefix;
    clauses.push(
      "exact" in match
        ? `action = ${setting("action")}`
        : `starts_with(action, ${setting("action")})`,
    );
  }
  if (f.target) {
    settings.target = f.target;
    clauses.push(`("targetId" = ${setting("target")} OR ${contains('"targetName"', "target")})`);
  }
  if (f.outcome) {
    settings.outcome = f.outcome;
    clauses.push(`outcome::text = ${setting("outcome")}`);
  }
  // Timestamps are stored as UTC without a zone, as Prisma writes them.
  if (f.from) {
    settings.from = f.from.toISOString();
    clauses.push(`"occurredAt" >= (${setting("from")})::timestamptz AT TIME ZONE 'UTC'`);
  }
  if (f.to) {
    settings.to = f.to.toISOString();
    clauses.push(`"occurredAt" < (${setting("to")})::timestamptz AT TIME ZONE 'UTC'`);
  }
  if (f.q) {
    settings.q = f.q;
    clauses.push(
      `(${['"actorName"', "action", '"targetName"', '"ipAddress"'].map((c) => contains(c, "q")).join(" OR ")})`,
    );
  }
  return { where: clauses.join(" AND "), settings };
}
