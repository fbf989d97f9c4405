// Structured logs for every Corral process (web, job runner, worker), by pino.
//
// One rule for the format: JSON lines (one object per line: time, level, name, msg, and the
// line's fields) unless CORRAL_LOG_FORMAT=text, or it is unset and stdout is a terminal; then
// one readable line, "name: msg key=value", warnings and errors prefixed with their level.
// `npm run up` asks its processes for text when it runs in a terminal itself.
// CORRAL_LOG_LEVEL: trace, debug, info (default), warn, error, fatal, silent.
//
// Errors go in as their one-line description (common/errors.ts `describeError`): expected
// failures print no stack, and nothing prints as [object Object].
import pino, { type DestinationStream, type Logger } from "pino";
import { describeError } from "./errors.ts";

export type { Logger };

export type LogFormat = "json" | "text";

export function logFormat(
  env: Record<string, string | undefined> = process.env,
  stdout: { isTTY?: boolean } = process.stdout,
): LogFormat {
  const asked = env.CORRAL_LOG_FORMAT;
  if (asked === "json" || asked === "text") return asked;
  return stdout.isTTY ? "text" : "json";
}

const hidden = new Set(["time", "level", "name", "msg", "pid", "hostname"]);

function fieldText(value: unknown): string {
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** One JSON line from pino as "name: [level: ]msg key=value…". */
export function textLine(json: string): string {
  const entry = JSON.parse(json) as Record<string, unknown>;
  const level = String(entry.level);
  const fields = Object.entries(entry)
    .filter(([key]) => !hidden.has(key))
    .map(([key, value]) => ` ${key}=${fieldText(value)}`)
    .join("");
  const prefix = level === "info" || level === "debug" || level === "trace" ? "" : `${level}: `;
  return `${entry.name}: ${prefix}${entry.msg ?? ""}${fields}\n`;
}

function textStream(out: NodeJS.WritableStream): DestinationStream {
  return { write: (line: string) => out.write(textLine(line)) };
}

export interface LoggerOptions {
  /** Fields added to every line (e.g. the request id of the request being served). */
  mixin?: () => Record<string, unknown>;
  /** Where lines go; stdout by default. */
  destination?: NodeJS.WritableStream;
  format?: LogFormat;
}

/** The logger of one process, named as its lines will say (web, corral-jobs, corral-worker). */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const out = options.destination ?? process.stdout;
  const format = options.format ?? logFormat();
  return pino(
    {
      name,
      level: process.env.CORRAL_LOG_LEVEL ?? "info",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: (error: unknown) => describeError(error) },
      ...(options.mixin && { mixin: options.mixin }),
    },
    format === "text" ? textStream(out) : (out as DestinationStream),
  );
}

/** A `log(line)` function, as the worker's and job runner's parts take, writing info lines. */
export const lineLogger =
  (logger: Logger) =>
  (line: string): void =>
    logger.info(line);
