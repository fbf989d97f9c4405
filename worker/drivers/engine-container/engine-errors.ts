// Engine API answers this driver treats as "already so" rather than failures.
import { describeError } from "../../../common/errors.ts";

export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | null)?.statusCode;
}

/** The engine's own message (its JSON `message`), else the error's first line. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } } | null)?.json;
  return json?.message ?? describeError(error);
}

/** Runs an engine call; a 404 gives `null` instead of an error. */
export async function orNull<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** Runs an engine call, treating the listed statuses as success (e.g. 304 "already started"). */
export async function tolerating(statuses: number[], call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    const status = statusOf(error);
    if (status === undefined || !statuses.includes(status)) throw error;
  }
}
