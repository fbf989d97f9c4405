import { describe, expect, it } from "vitest";
import { can, permissionMatrix, roles } from "./permissions.ts";

describe("permission matrix", () => {
  it("lets every role read its organisation", () => {
    for (const role of roles) expect(can(role, "org.read")).toBe(true);
  });

  it("keeps deleting an organisation to owners", () => {
    expect(roles.filter((r) => can(r, "org.delete"))).toEqual(["OWNER"]);
  });

  it("never grants a lower role something a higher role lacks", () => {
    for (const [permission, allowed] of Object.entries(permissionMatrix)) {
      const ranks = (allowed as readonly string[]).map((r) => roles.indexOf(r as never));
      const highestGranted = Math.max(...ranks);
      expect(ranks.sort(), permission).toEqual([...Array(highestGranted + 1).keys()]);
    }
  });
});

describe("permission docs", () => {
  it("the README's table is the matrix in code (npm run docs:permissions rewrites it)", async () => {
    const { readFileSync } = await import("node:fs");
    const { withPermissionsTable } = await import("./permissions-doc.ts");
    const readme = readFileSync("README.md", "utf8");
    expect(withPermissionsTable(readme)).toBe(readme);
  });
});
