// Browser tests against a production build, brought up the way users bring it up
// (`infra/dev/up.ts`), on its own port and a fresh database dropped afterwards.
import { defineConfig } from "@playwright/test";
import { oidc } from "./e2e/oidc-provider.ts";
import { withDatabase } from "./server/db/database.ts";
import { testServerUrl, uniqueDatabaseName } from "./test/database-server.ts";

const port = Number(process.env.E2E_PORT ?? 3100);
export const baseURL = `http://localhost:${port}`;

// The config is evaluated again in every test process; the first evaluation decides.
process.env.E2E_DATABASE_URL ??= withDatabase(testServerUrl, uniqueDatabaseName("corral_e2e"));
process.env.E2E_DEMO_PASSWORD ??= "e2e-demo-password";
process.env.E2E_MAIL_SINK_HTTP_PORT ??= "2581";

export default defineConfig({
  testDir: "e2e",
  // Run by playwright.two-web.config.ts, against two web processes.
  testIgnore: "two-web/**",
  outputDir: "test-results/e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [
    ["list"],
    ["html", { open: "never", outputFolder: "test-results/e2e-report" }],
    ["json", { outputFile: "test-results/e2e.json" }],
  ],
  globalSetup: "./e2e/global-setup.ts",
  globalTeardown: "./e2e/global-teardown.ts",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: "node --import tsx infra/dev/up.ts --no-build",
    wait: { stdout: /Corral is up/ },
    // The first start on a fresh machine builds the sandbox and agent images.
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    env: {
      PORT: String(port),
      DATABASE_URL: process.env.E2E_DATABASE_URL,
      CORRAL_DATA_DIR: ".corral/e2e",
      CORRAL_DEMO_PASSWORD: process.env.E2E_DEMO_PASSWORD,
      CORRAL_WORKER_NAME: "e2e-worker",
      CORRAL_WORKER_LABELS: "zone=e2e",
      // Each sandbox reserves its storage on the disk: a small one keeps test runs light.
      CORRAL_SANDBOX_STORAGE_MB: "4096",
      // Prometheus /metrics of the web app, the job runner and the worker (loopback).
      CORRAL_METRICS_PORT: "9474",
      CORRAL_JOBS_METRICS_PORT: "9475",
      CORRAL_WORKER_METRICS_PORT: "9476",
      // Every test signs in from 127.0.0.1: more than one person's share of attempts.
      CORRAL_SIGN_IN_ATTEMPTS_PER_IP: "500",
      CORRAL_MAIL_SINK_PORT: "2526",
      CORRAL_OIDC_ISSUER: oidc.issuer,
      CORRAL_OIDC_CLIENT_ID: oidc.clientId,
      CORRAL_OIDC_CLIENT_SECRET: oidc.clientSecret,
      CORRAL_OIDC_NAME: "Acme SSO",
      // The webhook test's endpoint listens on loopback.
      CORRAL_WEBHOOK_ALLOW_PRIVATE: "true",
      // So does the API agents call through the egress gateway (e2e/upstream.ts).
      CORRAL_GATEWAY_ALLOW_RANGES: "127.0.0.1/32",
      CORRAL_DEMO_MODEL_PORT: "4592",
      CORRAL_MAIL_SINK_HTTP_PORT: process.env.E2E_MAIL_SINK_HTTP_PORT,
    },
  },
});
