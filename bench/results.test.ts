// The bench's results: a report of what each section printed and a chart people can look at.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  beginSection,
  recordPercentiles,
  recordSamples,
  teeConsole,
  writeResults,
} from "./results.ts";

describe("bench results", () => {
  it("keep each section's lines and draw the recorded latencies as a PNG", async () => {
    teeConsole();
    beginSection("agents");
    console.log("agent bench: a line people read");
    recordSamples("agents", "raw create+start", [200, 210, 260, 400]);
    beginSection("load");
    recordPercentiles({ section: "load", name: "ping", p50: 2, p95: 4, p99: 9 });
    const dir = mkdtempSync(path.join(tmpdir(), "corral-bench-results-"));
    const { md, png } = await writeResults(dir, "test");
    const report = readFileSync(md, "utf8");
    expect(report).toMatch(/^# Benchmarks, \d{4}-\d{2}-\d{2}\n\nMachine: \d+ × /);
    expect(report).toContain("## agents\n\n```\nagent bench: a line people read\n```");
    expect(report).toContain(`![Latency distributions](${path.basename(png ?? "")})`);
    // A PNG file, not an empty one.
    const image = readFileSync(png ?? "");
    expect(image.subarray(1, 4).toString()).toBe("PNG");
    expect(image.length).toBeGreaterThan(5_000);
  }, 60_000);
});
