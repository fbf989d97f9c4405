// Errors that carry a message fit to show a person as it is: one line, no stack.

/** The environment is missing or has a wrong setting. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A service the process depends on (database, engine, control plane) cannot be reached. */
export class UnreachableError extends Error {
  override name = "UnreachableError";
}

/** One line for a person: known errors as they are, anything else by its message only. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return describeError(error.errors[0]);
  }
  if (error instanceof Error) return error.message.split("\n")[0] ?? error.name;
  return String(error);
}
