import { describe, expect, it } from "vitest";
import { credentialLooking } from "./credential-values.ts";

describe("values that look like credentials", () => {
  it.each([
    ["sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"],
    ["ghp_0123456789abcdefghijABCDEFGHIJ0123"],
    ["xoxb-1234-5678-abcdefghijkl"],
    ["AKIAIOSFODNN7EXAMPLE"],
    ["github_pat_11ABCDEFG0123456789_abcdefghijklmnop"],
    ["-----BEGIN OPENSSH PRIVATE KEY-----"],
    ["postgres://app:hunter2@db.internal:5432/app"],
    ["Zq8vN3kR7tXw2LmP9sYb4HcJ6dFg1QeA"],
    ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
  ])("refuses %s", (value) => {
    expect(credentialLooking(value)).not.toBeNull();
  });

  it.each([
    ["info"],
    ["https://api.example.com/v1"],
    ["/usr/local/bin/agent --verbose"],
    ["production"],
    ["Europe/Berlin"],
    ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
    ["claude-sonnet-4-5"],
    ["The quick brown fox jumps over the lazy dog again and again"],
  ])("accepts %s", (value) => {
    expect(credentialLooking(value)).toBeNull();
  });
});
