import { describe, expect, it } from "vitest";
import {
  type AgentEgress,
  decide,
  type EgressRule,
  egressPolicySchema,
  hostMatches,
} from "./egress-policy.ts";

const rule = (over: Partial<EgressRule>): EgressRule => ({
  action: "allow",
  host: "api.example.com",
  ports: [],
  methods: [],
  paths: [],
  ...over,
});
const egress = (over: Partial<AgentEgress>): AgentEgress => ({
  preset: "CUSTOM",
  rules: [],
  grantHosts: [],
  ceiling: null,
  quarantined: false,
  ...over,
});

describe("egress decisions", () => {
  it.each<
    [
      string,
      Partial<AgentEgress>,
      { host: string; port: number; method?: string; path?: string },
      boolean,
      RegExp,
    ]
  >([
    ["deny by default", {}, { host: "api.example.com", port: 443 }, false, /no rule allows/],
    [
      "no network preset",
      { preset: "NONE", rules: [rule({})] },
      { host: "api.example.com", port: 443 },
      false,
      /no network/,
    ],
    ["exact host", { rules: [rule({})] }, { host: "API.example.com", port: 443 }, true, /rule 1/],
    [
      "suffix matches subdomains",
      { rules: [rule({ host: "*.example.com" })] },
      { host: "a.b.example.com", port: 443 },
      true,
      /rule 1/,
    ],
    [
      "suffix does not match the bare domain",
      { rules: [rule({ host: "*.example.com" })] },
      { host: "example.com", port: 443 },
      false,
      /no rule/,
    ],
    [
      "suffix is not a substring match",
      { rules: [rule({ host: "*.example.com" })] },
      { host: "evilexample.com", port: 443 },
      false,
      /no rule/,
    ],
    [
      "ports narrow",
      { rules: [rule({ ports: [443] })] },
      { host: "api.example.com", port: 22 },
      false,
      /no rule/,
    ],
    [
      "deny wins over an earlier allow",
      { rules: [rule({}), rule({ action: "deny" })] },
      { host: "api.example.com", port: 443 },
      false,
      /rule 2/,
    ],
    [
      "methods and paths narrow requests",
      { rules: [rule({ methods: ["GET"], paths: ["/v1"] })] },
      { host: "api.example.com", port: 443, method: "POST", path: "/v1/x" },
      false,
      /no rule/,
    ],
    [
      "a path prefix is a whole segment",
      { rules: [rule({ paths: ["/v1"] })] },
      { host: "api.example.com", port: 443, method: "GET", path: "/v10" },
      false,
      /no rule/,
    ],
    [
      "dot segments are resolved",
      { rules: [rule({ paths: ["/v1"] }), rule({ action: "deny", paths: ["/admin"] })] },
      { host: "api.example.com", port: 443, method: "GET", path: "/v1/%2e%2e/admin" },
      false,
      /rule 2/,
    ],
    [
      "model provider opens grant hosts",
      { preset: "MODEL_PROVIDER", grantHosts: ["api.anthropic.com"] },
      { host: "api.anthropic.com", port: 443 },
      true,
      /rule 1/,
    ],
    [
      "model provider opens nothing else",
      { preset: "MODEL_PROVIDER", grantHosts: ["api.anthropic.com"] },
      { host: "example.org", port: 443 },
      false,
      /grants/,
    ],
    [
      "the ceiling bounds every rule",
      { rules: [rule({})], ceiling: ["*.anthropic.com"] },
      { host: "api.example.com", port: 443 },
      false,
      /ceiling/,
    ],
    [
      "quarantine refuses everything",
      { rules: [rule({})], quarantined: true },
      { host: "api.example.com", port: 443 },
      false,
      /quarantined/,
    ],
  ])("%s", (_name, over, target, allowed, reason) => {
    const decision = decide(egress(over), target);
    expect(decision.allowed).toBe(allowed);
    expect(decision.reason).toMatch(reason);
  });

  it("asks to read requests when a rule for the host names methods or paths", () => {
    const narrowed = egress({ rules: [rule({ methods: ["GET"] })] });
    expect(decide(narrowed, { host: "api.example.com", port: 443 })).toMatchObject({
      allowed: true,
      inspect: true,
    });
    expect(
      decide(egress({ rules: [rule({})] }), { host: "api.example.com", port: 443 }).inspect,
    ).toBe(false);
  });

  it("validates host patterns as the form and the API see them", () => {
    expect(
      egressPolicySchema.safeParse({
        preset: "CUSTOM",
        rules: [{ action: "allow", host: "*.Example.COM" }],
      }).data?.rules[0]?.host,
    ).toBe("*.example.com");
    for (const host of ["*", "a*.example.com", "http://x", "exa mple.com", ""])
      expect(
        egressPolicySchema.safeParse({ preset: "CUSTOM", rules: [{ action: "allow", host }] })
          .success,
      ).toBe(false);
    expect(hostMatches("*.example.com", "x.example.com.")).toBe(true);
  });
});
