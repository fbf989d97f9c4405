import { describe, expect, it } from "vitest";
import { hostPatternSchema } from "@/common/egress-policy.ts";
import { grantSecretSchema } from "@/server/secrets/schemas.ts";
import { listError, splitList } from "./lists.ts";

describe("splitList", () => {
  it("takes items separated by commas, spaces or lines, and drops empty ones", () => {
    expect(splitList(" api.anthropic.com,\n*.github.com ,, example.org\n\n")).toEqual([
      "api.anthropic.com",
      "*.github.com",
      "example.org",
    ]);
    expect(splitList("  \n ")).toEqual([]);
  });
});

describe("listError", () => {
  const hosts = grantSecretSchema.shape.hosts;

  it("is undefined for a list the API accepts", () => {
    expect(listError(hosts, ["api.anthropic.com", "*.github.com"])).toBeUndefined();
  });

  it("names the item a schema refuses, with the schema's own words", () => {
    const message = hostPatternSchema.safeParse("bad_host").error?.issues[0]?.message;
    expect(listError(hosts, ["api.anthropic.com", "bad_host"])).toBe(`“bad_host”: ${message}`);
  });

  it("says what is wrong with the list as a whole", () => {
    expect(listError(hosts, [])).toBe("Name at least one host");
  });
});
