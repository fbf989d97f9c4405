// Lists typed as text (hosts, ports, paths): one per line or separated by commas, judged by
// the API's own zod schemas so the form says what the server would.
import type { z } from "zod";

/** The non-empty items of a comma-, space- or line-separated list. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
}

/** The first problem with a list, naming the item it is about; undefined when it is fine. */
export function listError(schema: z.ZodType, items: string[]): string | undefined {
  const check = schema.safeParse(items);
  if (check.success) return undefined;
  const issue = check.error.issues[0];
  if (!issue) return undefined;
  const index = issue.path[0];
  return typeof index === "number" && items[index] !== undefined
    ? `“${items[index]}”: ${issue.message}`
    : issue.message;
}
