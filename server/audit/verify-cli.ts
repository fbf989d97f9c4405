// `npm run audit:verify`: re-computes every audit chain in DATABASE_URL's database and
// exits 1 at the first broken link, naming the event, what was expected and what was found.
import { describeError } from "../../common/errors.ts";
import { createDb } from "../db/client.ts";
import { verifyAllChains } from "./verify.ts";
import { chainReportLine, chainsSummaryLine } from "./verify-report.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("audit:verify: set DATABASE_URL to the database to check");
  process.exit(2);
}
const db = createDb(url);
try {
  const reports = await verifyAllChains(db);
  for (const r of reports) console.log(chainReportLine(r));
  console.log(chainsSummaryLine(reports));
  const broken = reports.filter((r) => !r.ok).length;
  process.exitCode = broken ? 1 : 0;
} catch (error) {
  console.error(`audit:verify: ${describeError(error)}`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
