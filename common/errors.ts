// Errors that carry a message fit to show a person as it is: one line, no stack.

/** The environment is missing or has a wrong setting. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A service the process depends on (database, engine, control plane) cannot be reached. */
export class UnreachableError extends Error {
  override name = "UnreachableError";
}

/**
 * The line of a message worth showing. Prisma's begin with a blank line and "Invalid
 * `prisma.x.y()` invocation:", then the code excerpt; what went wrong is the last line.
 */
function firstLine(message: string): string {
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  if (/^Invalid `.*` invocation/.test(lines[0] ?? "")) return lines.at(-1) ?? "";
  return lines[0] ?? "";
}

/** One line for a person: known errors as they are, anything else by its message only. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return describeError(error.errors[0]);
  }
  if (error instanceof Error) return firstLine(error.message) || error.name;
  // Libraries sometimes throw or emit plain objects: their message, else what they hold.
  if (error && typeof error === "object") {
    const message = (error as { message?: unknown }).message;
    if (typeof message === "string" && firstLine(message)) return firstLine(message);
    try {
      return JSON.stringify(error).slice(0, 300);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}

export type DomainErrorCode =
  | "BAD_REQUEST"
  | "CONFLICT"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "TOO_MANY_REQUESTS";

/**
 * A rule of the domain refused the request (a taken slug, an expired invitation). Its
 * message is written for the person who asked; `field` names the form field it concerns.
 * The API turns it into the matching tRPC error; server actions show it beside the form.
 */
export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
