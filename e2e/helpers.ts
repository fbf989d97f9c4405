import type { Page, TestInfo } from "@playwright/test";
import pg from "pg";

export const demoUser = {
  email: "demo@corral.dev",
  password: process.env.E2E_DEMO_PASSWORD ?? "e2e-demo-password",
};

export async function signIn(page: Page, email = demoUser.email, password = demoUser.password) {
  await page.goto("/sign-in");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
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

interface CapturedMail {
  to: string[];
  subject: string;
  text: string;
}

/** The first link to `path` in the newest mail to `email`, as the invitee's inbox shows it. */
export async function linkFromInbox(email: string, path: string): Promise<string> {
  const sink = `http://127.0.0.1:${process.env.E2E_MAIL_SINK_HTTP_PORT}/messages`;
  for (let attempt = 0; attempt < 50; attempt++) {
    const messages = (await (await fetch(sink)).json()) as CapturedMail[];
    const mail = messages.find((m) => m.to.includes(email.toLowerCase()) && m.text.includes(path));
    const link = mail?.text.match(new RegExp(`https?://\\S+${path.replace("?", "\\?")}\\S+`))?.[0];
    if (link) return link;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${email} with a ${path} link`);
}
