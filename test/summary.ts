// One closing line for the whole test command, summing Vitest's and Playwright's reports.
import { existsSync, readFileSync } from "node:fs";

const unit = JSON.parse(readFileSync("test-results/vitest.json", "utf8")) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
};
type PlaywrightReport = {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
};
// The main browser suite, and the same app behind two web processes.
const e2eReports = ["test-results/e2e.json", "test-results/e2e-two-web.json"]
  .filter((file) => existsSync(file))
  .map((file) => JSON.parse(readFileSync(file, "utf8")) as PlaywrightReport);
const e2e = e2eReports.reduce(
  (sum, { stats }) => ({
    expected: sum.expected + stats.expected,
    unexpected: sum.unexpected + stats.unexpected,
    flaky: sum.flaky + stats.flaky,
    skipped: sum.skipped + stats.skipped,
  }),
  { expected: 0, unexpected: 0, flaky: 0, skipped: 0 },
);

const passed = unit.numPassedTests + e2e.expected + e2e.flaky;
const failed = unit.numFailedTests + e2e.unexpected;
const skipped = unit.numPendingTests + e2e.skipped;
console.log(`vitest: ${unit.numPassedTests} passed, playwright: ${e2e.expected} passed`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
