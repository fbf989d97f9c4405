// What one `npm run bench` leaves for people to read, in bench/results/:
//   <date>.md   the machine, then every section's report as it was printed;
//   <date>.png  the latency distributions the sections recorded (median bar, whisker to p95,
//               tick at p99), drawn on one log scale so a start and a read sit side by side.
// Sections print as before; run.ts tees what they print into their part of the report.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { format } from "node:util";
import { chromium } from "@playwright/test";
import { percentile } from "./stats.ts";

export interface Distribution {
  section: string;
  name: string;
  p50: number;
  p95: number;
  p99: number;
}

interface Section {
  title: string;
  lines: string[];
}

interface Results {
  sections: Section[];
  distributions: Distribution[];
}

const store: Results = { sections: [], distributions: [] };

/** From here on, what is printed belongs to `title`. */
export function beginSection(title: string) {
  store.sections.push({ title, lines: [] });
}

/** Prints as before, and keeps every line for the report. */
export function teeConsole() {
  const print = console.log.bind(console);
  console.log = (...args: unknown[]) => {
    const text = format(...args);
    store.sections.at(-1)?.lines.push(text);
    print(text);
  };
}

/** A distribution of milliseconds, as samples. */
export function recordSamples(section: string, name: string, samplesMs: number[]) {
  if (samplesMs.length === 0) return;
  store.distributions.push({
    section,
    name,
    p50: percentile(samplesMs, 50),
    p95: percentile(samplesMs, 95),
    p99: percentile(samplesMs, 99),
  });
}

/** A distribution of milliseconds, as percentiles the load tool measured. */
export function recordPercentiles(distribution: Distribution) {
  store.distributions.push(distribution);
}

function machine(): string {
  const cpus = os.cpus();
  const [one, five, fifteen] = os.loadavg().map((l) => l.toFixed(1));
  return [
    `${cpus.length} × ${cpus[0]?.model.trim() ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `${os.type()} ${os.release()}, Node ${process.version}`,
    `load average at the end ${one} / ${five} / ${fifteen}`,
  ].join("; ");
}

/**
 * Writes <date>.md and, when anything was recorded, <date>.png (<date>-<only>.* for a run of
 * one section); returns their paths.
 */
export async function writeResults(dir = path.join(import.meta.dirname, "results"), only?: string) {
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10);
  const name = only ? `${date}-${only}` : date;
  const md = path.join(dir, `${name}.md`);
  const png = path.join(dir, `${name}.png`);
  const charted = store.distributions.length > 0;
  const body = [
    `# Benchmarks, ${date}`,
    "",
    `Machine: ${machine()}. Figures are compared as ratios against a baseline measured in the same run.`,
    "",
    ...(charted ? [`![Latency distributions](${path.basename(png)})`, ""] : []),
    ...store.sections.flatMap((s) => [`## ${s.title}`, "", "```", ...s.lines, "```", ""]),
  ].join("\n");
  writeFileSync(md, body);
  if (charted) await renderChart(store.distributions, png);
  return { md, png: charted ? png : null };
}

async function renderChart(distributions: Distribution[], file: string) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 2 });
    const svg = chartSvg(distributions);
    await page.setContent(`<html><body style="margin:0;background:#fff">${svg}</body></html>`);
    await page.locator("svg").screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

/** Horizontal bars on a log scale of milliseconds, one row per distribution. */
export function chartSvg(distributions: Distribution[]): string {
  const rowHeight = 22;
  const left = 330;
  const width = 980;
  const plot = width - left - 30;
  const top = 40;
  const height = top + distributions.length * rowHeight + 40;
  const values = distributions.flatMap((d) => [d.p50, d.p99]).filter((v) => v > 0);
  const low = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...values))));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values, low * 10)));
  const x = (ms: number) =>
    left + (Math.log10(Math.max(ms, low) / low) / Math.log10(high / low)) * plot;
  const escapeXml = (text: string) =>
    text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const ticks: string[] = [];
  for (let t = low; t <= high; t *= 10)
    ticks.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${top - 6}" y2="${height - 30}" stroke="#e4e4e7"/>`,
      `<text x="${x(t)}" y="${height - 14}" text-anchor="middle">${t >= 1000 ? `${t / 1000} s` : `${t} ms`}</text>`,
    );
  const rows = distributions.map((d, i) => {
    const y = top + i * rowHeight;
    const mid = y + rowHeight / 2;
    return [
      `<text x="${left - 8}" y="${mid + 4}" text-anchor="end">${escapeXml(`${d.section}: ${d.name}`)}</text>`,
      `<rect x="${left}" y="${y + 4}" width="${Math.max(1, x(d.p50) - left)}" height="${rowHeight - 8}" fill="#6366f1"/>`,
      `<line x1="${x(d.p50)}" x2="${x(d.p95)}" y1="${mid}" y2="${mid}" stroke="#312e81" stroke-width="2"/>`,
      `<line x1="${x(d.p95)}" x2="${x(d.p95)}" y1="${y + 6}" y2="${y + rowHeight - 6}" stroke="#312e81" stroke-width="2"/>`,
      `<line x1="${x(d.p99)}" x2="${x(d.p99)}" y1="${y + 8}" y2="${y + rowHeight - 8}" stroke="#dc2626" stroke-width="2"/>`,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12" fill="#18181b">`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">Latency: median (bar), p95 (whisker), p99 (red)</text>`,
    ...ticks,
    ...rows,
    "</svg>",
  ].join("");
}
