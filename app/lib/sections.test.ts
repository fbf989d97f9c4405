import { describe, expect, it } from "vitest";
import { roles } from "@/server/auth/permissions.ts";
import { visibleSections } from "./sections.ts";

describe("the organisation's pages as navigation shows them", () => {
  it.each(roles)(
    "hide from %s what its role may not open, in the sidebar and the palette alike",
    (role) => {
      const labels = visibleSections(role, false).map((s) => s.label);
      const mayAudit = role === "OWNER" || role === "ADMIN";
      expect(labels.includes("Audit log")).toBe(mayAudit);
      expect(labels.includes("Retention & webhooks")).toBe(mayAudit);
      expect(labels).not.toContain("Fleet");
    },
  );

  it("shows deployment pages to operators only", () => {
    expect(visibleSections("VIEWER", true).map((s) => s.label)).toContain("Fleet");
  });
});
