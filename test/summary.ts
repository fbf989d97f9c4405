// One closing line for the whole test command, summing Vitest's and Playwright's reports.
import { readFileSync } from "node:fs";

const unit = JSON.parse(readFileSync("test-results/vitest.json", "utf8")) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
};
const e2e = JSON.parse(readFileSync("test-results/e2e.json", "utf8")) as {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
};

const passed = unit.numPassedTests + e2e.stats.expected + e2e.stats.flaky;
const failed = unit.numFailedTests + e2e.stats.unexpected;
const skipped = unit.numPendingTests + e2e.stats.skipped;
console.log(`vitest: ${unit.numPassedTests} passed, playwright: ${e2e.stats.expected} passed`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
