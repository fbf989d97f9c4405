import { describe, expect, inject, it } from "vitest";
import { runEntryPoint } from "../../test/run-process.ts";

const settings = () => ({
  DATABASE_URL: inject("databaseUrl"),
  AUTH_SECRET: "a".repeat(40),
  CORRAL_SECRET_KEY: "k".repeat(40),
});

describe("job runner process", () => {
  it("exits with one clear line when its master key is missing", async () => {
    const result = await runEntryPoint("server/jobs/main.ts", {
      ...settings(),
      CORRAL_SECRET_KEY: undefined,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^corral-jobs: CORRAL_SECRET_KEY is not set[^\n]*$/);
  });

  it("starts, says what it runs, and stops cleanly on SIGTERM", async () => {
    const result = await runEntryPoint("server/jobs/main.ts", settings(), {
      stopWhen: /running:/,
    });
    // Not a terminal: one JSON object per line (common/logger.ts).
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "info",
        name: "corral-jobs",
        msg: expect.stringMatching(/^running: webhook delivery, audit retention/),
      }),
    );
    expect(lines.at(-1)).toMatchObject({ level: "info", msg: "stopping" });
    expect(result.stdout).not.toContain("[object Object]");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
