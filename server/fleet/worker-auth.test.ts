import { describe, expect, it } from "vitest";
import { isWorkerAuthorized } from "./worker-auth.ts";

const token = "t".repeat(40);

describe("worker token check", () => {
  it("accepts the exact bearer token", () => {
    expect(isWorkerAuthorized(`Bearer ${token}`, token)).toBe(true);
  });

  it.each([
    ["no header", null],
    ["another token", `Bearer ${"u".repeat(40)}`],
    ["a prefix of the token", `Bearer ${token.slice(0, 39)}`],
    ["another scheme", `Basic ${token}`],
    ["an empty bearer", "Bearer "],
  ])("refuses %s", (_label, header) => {
    expect(isWorkerAuthorized(header, token)).toBe(false);
  });
});
