import type { Page, TestInfo } from "@playwright/test";
import pg from "pg";

export const demoUser = {
  email: "demo@corral.dev",
  password: process.env.E2E_DEMO_PASSWORD ?? "e2e-demo-password",
};

export async function signIn(page: Page, email = demoUser.email, password = demoUser.password) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A full-page screenshot kept with the run's artefacts (test-results/screenshots). */
export async function snapshot(page: Page, testInfo: TestInfo, name: string) {
  const path = `test-results/screenshots/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

/** Runs SQL on the database the app under test uses. */
export async function sql(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}
