import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../../test/run-process.ts";

describe("npm run up", () => {
  it("stops with one clear line when DATABASE_URL points at no server", async () => {
    const result = await runEntryPoint("infra/dev/up.ts", {
      DATABASE_URL: "postgresql://corral@127.0.0.1:9/corral",
      CORRAL_DATA_DIR: ".corral/test-up",
      PORT: "3199",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(
      /^corral: cannot reach PostgreSQL at 127\.0\.0\.1:9: [^\n]+$/,
    );
    expect(result.stdout).not.toContain("Corral is up");
  });

  it("refuses a DATABASE_URL that is not a PostgreSQL URL", async () => {
    const result = await runEntryPoint("infra/dev/up.ts", {
      DATABASE_URL: "mysql://localhost/corral",
      CORRAL_DATA_DIR: ".corral/test-up",
      PORT: "3199",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^corral: DATABASE_URL must be a postgresql:\/\/ URL$/);
  });
});
