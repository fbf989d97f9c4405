// `npm run audit:verify`: re-computes every audit chain in DATABASE_URL's database and
// exits 1 at the first broken link, naming the event, what was expected and what was found.
import { describeError } from "../../common/errors.ts";
import { createDb } from "../db/client.ts";
import { verifyAllChains } from "./verify.ts";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("audit:verify: set DATABASE_URL to the database to check");
  process.exit(2);
}
const db = createDb(url);
try {
  const reports = await verifyAllChains(db);
  for (const r of reports) {
    const legacy = r.unchained ? `, ${r.unchained} recorded before chaining` : "";
    const purged = r.fromSeq > 1 ? ` from seq ${r.fromSeq} (earlier ones purged by retention)` : "";
    if (r.ok) console.log(`ok      ${r.chain}: ${r.checked} events${purged}${legacy}`);
    else {
      const b = r.broken;
      console.log(
        `BROKEN  ${r.chain}: ${b?.problem} at event ${b?.eventId} (seq ${b?.seq}): expected ${b?.expected}, found ${b?.found}`,
      );
    }
  }
  const broken = reports.filter((r) => !r.ok).length;
  console.log(`${reports.length} chains, ${broken} broken`);
  process.exitCode = broken ? 1 : 0;
} catch (error) {
  console.error(`audit:verify: ${describeError(error)}`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
