// The permission matrix as a Markdown table, for the README (`npm run docs:permissions`
// rewrites it there; a test fails when the README and the matrix disagree).
import { permissionMatrix, roles } from "./permissions.ts";

export const docMarkers = { start: "<!-- permissions:start -->", end: "<!-- permissions:end -->" };

export function permissionsMarkdown(): string {
  const header = `| Permission | ${roles.map((r) => r.toLowerCase()).join(" | ")} |`;
  const rule = `| --- | ${roles.map(() => ":-:").join(" | ")} |`;
  const rows = Object.entries(permissionMatrix).map(
    ([permission, allowed]) =>
      `| \`${permission}\` | ${roles.map((r) => ((allowed as readonly string[]).includes(r) ? "✓" : "")).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}

/** `readme` with the text between the markers replaced by the current table. */
export function withPermissionsTable(readme: string): string {
  const start = readme.indexOf(docMarkers.start);
  const end = readme.indexOf(docMarkers.end);
  if (start < 0 || end < start) throw new Error("README has no permissions markers");
  return `${readme.slice(0, start + docMarkers.start.length)}\n${permissionsMarkdown()}\n${readme.slice(end)}`;
}
