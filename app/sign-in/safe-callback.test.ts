import { describe, expect, it } from "vitest";
import { safeCallback } from "./safe-callback.ts";

describe("the page after sign-in", () => {
  it.each([
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["/\\evil.example", "/"],
    ["//evil.example/x", "/"],
    ["https://evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["/ /evil.example", "/%20/evil.example"],
    ["/o/acme/agents?tab=tasks#top", "/o/acme/agents?tab=tasks#top"],
    [null, "/"],
  ])("%j goes to %j", (given, expected) => {
    expect(safeCallback(given)).toBe(expected);
  });
});
