// The horizontal web tier, proven: `npm run up -- --web-processes 2` (two web processes on
// one database behind a round-robin balancer, with the job runner and one worker), and a
// short browser run whose requests must be spread over both (e2e/two-web). Its own ports,
// database and worker, so it can run beside the main suite (playwright.config.ts).
import { defineConfig } from "@playwright/test";
import { withDatabase } from "./server/db/database.ts";
import { testServerUrl, uniqueDatabaseName } from "./test/database-server.ts";

const port = Number(process.env.E2E_TWO_WEB_PORT ?? 3200);
export const baseURL = `http://localhost:${port}`;
/** Web process i's metrics are on this port + i − 1. */
export const webMetricsPort = 9580;

// The config is evaluated again in every test process; the first evaluation decides.
process.env.E2E_DATABASE_URL ??= withDatabase(testServerUrl, uniqueDatabaseName("corral_e2e2"));
process.env.E2E_DEMO_PASSWORD ??= "e2e-demo-password";
process.env.E2E_MAIL_SINK_HTTP_PORT ??= "2582";

export default defineConfig({
  testDir: "e2e/two-web",
  outputDir: "test-results/e2e-two-web",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  // Two fresh processes compile their server code on first use, each on a busy machine.
  expect: { timeout: 20_000 },
  reporter: [["list"], ["json", { outputFile: "test-results/e2e-two-web.json" }]],
  globalTeardown: "./e2e/two-web/teardown.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    },
  },
  webServer: {
    command: "node --import tsx infra/dev/up.ts --no-build --web-processes 2",
    wait: { stdout: /Corral is up/ },
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    env: {
      PORT: String(port),
      DATABASE_URL: process.env.E2E_DATABASE_URL,
      CORRAL_DATA_DIR: ".corral/e2e-two-web",
      CORRAL_DEMO_PASSWORD: process.env.E2E_DEMO_PASSWORD,
      CORRAL_WORKER_NAME: "e2e-two-web",
      CORRAL_WORKER_LABELS: "zone=e2e",
      CORRAL_SANDBOX_STORAGE_MB: "4096",
      CORRAL_METRICS_PORT: String(webMetricsPort),
      CORRAL_JOBS_METRICS_PORT: "9590",
      CORRAL_WORKER_METRICS_PORT: "9591",
      CORRAL_SIGN_IN_ATTEMPTS_PER_IP: "500",
      CORRAL_MAIL_SINK_PORT: "2527",
      CORRAL_MAIL_SINK_HTTP_PORT: process.env.E2E_MAIL_SINK_HTTP_PORT,
      CORRAL_DEMO_MODEL_PORT: "4593",
      CORRAL_LOG_FORMAT: "json",
    },
  },
});
