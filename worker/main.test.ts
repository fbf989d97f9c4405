import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../test/run-process.ts";

const token = "w".repeat(40);

describe("worker process", () => {
  it("exits with one clear line when no Docker engine answers", async () => {
    const result = await runEntryPoint("worker/main.ts", {
      CORRAL_WORKER_TOKEN: token,
      DOCKER_HOST: "unix:///tmp/corral-no-engine.sock",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^corral-worker: no Docker engine answers at unix:\/\/\/tmp\/corral-no-engine\.sock .*start dockerd or set DOCKER_HOST$/,
      ),
    ]);
  });

  it("exits with one clear line when its token is missing", async () => {
    const result = await runEntryPoint("worker/main.ts", {});
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^corral-worker: CORRAL_WORKER_TOKEN is not set[^\n]*$/);
  });

  it("keeps retrying, saying so once, while the control plane is unreachable, and stops cleanly", async () => {
    const result = await runEntryPoint(
      "worker/main.ts",
      { CORRAL_WORKER_TOKEN: token, CORRAL_CONTROL_PLANE_URL: "http://127.0.0.1:9" },
      { stopWhen: /retrying/ },
    );
    expect(result.stdout).toMatch(/corral-worker: engine \S+ at unix:\/\/\/var\/run\/docker\.sock/);
    expect(result.stdout).toMatch(
      /control plane unreachable at http:\/\/127\.0\.0\.1:9 .*; retrying every 5s/,
    );
    expect(result.stdout).toContain("SIGTERM: stopping");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });
});
