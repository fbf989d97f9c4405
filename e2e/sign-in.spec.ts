import { expect, test } from "@playwright/test";
import { demoUser, signIn, snapshot, sql } from "./helpers.ts";

test("a signed-out visitor is sent to sign-in and a wrong password gets a clear message", async ({
  page,
}, testInfo) => {
  await page.goto("/o/acme");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fo%2Facme$/);
  await expect(page.getByRole("heading", { name: "Sign in to your organisation" })).toBeVisible();
  await snapshot(page, testInfo, "sign-in");

  await signIn(page, demoUser.email, "not-the-password");
  await expect(page.getByTestId("sign-in-error")).toHaveText(
    "That email and password do not match an account.",
  );
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(demoUser.email);
  await snapshot(page, testInfo, "sign-in-wrong-password");
});

test("the sign-in form validates as you type with the API's rules", async ({ page }) => {
  await page.goto("/sign-in");
  const email = page.getByLabel("Email", { exact: true });
  await email.fill("not-an-email");
  await email.blur();
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await email.fill("demo@corral.dev");
  await expect(page.getByText("Enter a valid email address")).toHaveCount(0);
});

test("the demo user signs in and sees the dashboard shell", async ({ page }, testInfo) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/o\/acme$/);
  await expect(page.getByTestId("page-title")).toHaveText("Acme Robotics");
  await expect(page.getByTestId("signed-in-user")).toHaveText("Dana Demo");
  await expect(
    page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Overview" }),
  ).toBeVisible();
  await expect(page.getByText("Your role").locator("..")).toContainText("owner");
  // The local worker started by the launcher has reported in.
  await expect(page.getByText("Workers live").locator("..")).toContainText("1 / 1");
  await expect(page).toHaveTitle("Overview · Corral");
  await snapshot(page, testInfo, "dashboard");
});

test("signing out ends the session on the server, so a copied cookie stops working", async ({
  page,
  context,
}) => {
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const stolen = await context.cookies();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  await context.addCookies(stolen);
  await page.goto("/o/acme");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("revoking a session in the database signs the browser out on its next request", async ({
  page,
}) => {
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();

  await sql(
    `UPDATE "Session" SET "revokedAt" = now()
      WHERE "userId" = (SELECT id FROM "User" WHERE email = $1) AND "revokedAt" IS NULL`,
    [demoUser.email],
  );
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("another organisation's page answers not found, not a hint that it exists", async ({
  page,
}) => {
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  await page.goto("/o/someone-elses-org");
  await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
});

test("five wrong passwords lock the account for a while, even against the right one", async ({
  page,
  browser,
}) => {
  const email = `lockme-${Date.now().toString(36)}@example.test`;
  const password = "the real long passphrase";
  const signUpPage = await (await browser.newContext()).newPage();
  await signUpPage.goto("/sign-up");
  await signUpPage.getByLabel("Your name").fill("Lou Locked");
  await signUpPage.getByLabel("Work email").fill(email);
  await signUpPage.getByLabel("Password").fill(password);
  await signUpPage.getByRole("button", { name: "Create account" }).click();
  await expect(signUpPage).toHaveURL(/\/organizations\/new$/);

  for (let attempt = 1; attempt <= 5; attempt++) {
    await signIn(page, email, `wrong guess ${attempt}`);
    await expect(page.getByTestId("sign-in-error")).toHaveText(
      "That email and password do not match an account.",
    );
  }
  await signIn(page, email, password);
  await expect(page.getByTestId("sign-in-error")).toHaveText(
    "Too many failed sign-ins for this account. Wait 15 minutes, or reset your password.",
  );
  const denied = await sql(
    `SELECT count(*)::int AS n FROM "AuditEvent" WHERE action = 'auth.sign_in_failed' AND "actorName" = $1 AND outcome = 'DENIED'`,
    [email],
  );
  expect(denied[0].n).toBe(1);
});
