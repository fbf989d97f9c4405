// The load bench's short mode, as CI runs it: every scenario answers, with no errors, on the
// production build (made first if missing). Timings are not judged here; the bench report
// judges them.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, test } from "vitest";

test("the load bench runs every scenario in short mode without errors", () => {
  const output = execFileSync(process.execPath, ["--import", "tsx", "bench/load.ts", "--short"], {
    cwd: path.join(import.meta.dirname, ".."),
    encoding: "utf8",
    timeout: 540_000,
    env: { ...process.env, BENCH_SHORT: "1" },
  });
  const rows = output
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| scenario"));
  expect(rows.map((row) => row.split(" | ")[0]?.slice(2))).toEqual([
    "ping, 1 client",
    "agents.list, 1 client",
    "ping",
    "agents.list (sessions)",
    "agents.list (API keys)",
    "organizations.overview",
    "audit.list (a page of 50)",
    "fleet.hosts (operator)",
    "ping, 2 processes",
    "agents.list (sessions), 2 processes",
    "agents.create",
    "agents.command stop",
    "invitations.create",
  ]);
  for (const row of rows) {
    const cells = row.split(" | ");
    // requests answered, and errors: every scenario answered some, and none failed.
    expect(Number(cells[2]), row).toBeGreaterThan(0);
    expect(Number(cells[8]), row).toBe(0);
  }
}, 600_000);
