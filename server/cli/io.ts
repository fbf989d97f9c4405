// Where the CLI writes, and how it shows what it found: aligned columns for people, JSON for
// scripts (--json). Passed in, so tests read what a command printed.
import { Writable } from "node:stream";

export interface CliIo {
  out: Writable;
  err: Writable;
  /** Read when a command takes a secret from standard input (--password-stdin). */
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
}

export const processIo = (): CliIo => ({
  out: process.stdout,
  err: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

/** A failure to report in one line, with the exit status it warrants. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function line(io: CliIo, text = ""): void {
  io.out.write(`${text}\n`);
}

export function printJson(io: CliIo, value: unknown): void {
  io.out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Rows as columns under a header; empty cells show as "-". */
export function printTable(io: CliIo, header: string[], rows: (string | number | null)[][]): void {
  const cells = [
    header,
    ...rows.map((r) => r.map((c) => (c === null || c === "" ? "-" : String(c)))),
  ];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  for (const row of cells) {
    line(io, row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  "));
  }
}

/** Standard input, whole, without its final newline. */
export async function readStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** A sink that keeps what is written, for tests. */
export function memoryWritable(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return Object.assign(sink, { text: () => Buffer.concat(chunks).toString("utf8") });
}
