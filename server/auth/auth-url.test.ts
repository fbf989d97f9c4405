// Auth.js never builds a link from a host the client chose: with AUTH_URL unset, the
// configured default is pinned, and a forged Host / X-Forwarded-Host changes nothing.
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";

describe("Auth.js URLs", () => {
  it("come from AUTH_URL, not from the request's Host", async () => {
    delete process.env.AUTH_URL;
    const { handlers } = await import("./auth.ts");
    const forged = new NextRequest("http://evil.example/api/auth/providers", {
      headers: { host: "evil.example", "x-forwarded-host": "evil.example" },
    });
    const response = await handlers.GET(forged);
    expect(response.status).toBe(200);
    const providers = JSON.stringify(await response.json());
    expect(providers).not.toContain("evil.example");
    expect(providers).toContain("http://localhost:3000/api/auth/signin/");
  });
});
