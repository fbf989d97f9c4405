import { expect, test } from "@playwright/test";
import { demoUser, linkFromInbox, snapshot, sql } from "./helpers.ts";

test("a sign-in link by email signs in once", async ({ page, browser }, testInfo) => {
  await page.goto("/sign-in");
  const form = page.getByRole("form", { name: "Email me a sign-in link" });
  await form.getByLabel("Or get a sign-in link by email").fill(demoUser.email);
  await form.getByRole("button", { name: "Email me a link" }).click();
  await expect(page.getByTestId("check-email")).toBeVisible();
  await snapshot(page, testInfo, "check-email");

  const link = await linkFromInbox(demoUser.email, "/api/auth/callback/email");
  await page.goto(link);
  await expect(page).toHaveURL(/\/o\/acme$/);
  await expect(page.getByTestId("signed-in-user")).toHaveText("Dana Demo");

  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await expect(again.getByTestId("sign-in-error")).toHaveText(
    "That sign-in link has expired or was already used. Ask for a new one.",
  );
});

test("an account pre-made with someone's address loses its password when the owner signs in by link", async ({
  page,
  browser,
}) => {
  const email = `owner-${Date.now().toString(36)}@example.test`;
  // Someone else signs up first with the owner's address and a password of their own.
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill("Not The Owner");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill("squatter-Password-123!");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/organizations\/new$/);

  // The owner signs in with a link sent to their inbox: the address is proven.
  const owner = await (await browser.newContext()).newPage();
  await owner.goto("/sign-in");
  const form = owner.getByRole("form", { name: "Email me a sign-in link" });
  await form.getByLabel("Or get a sign-in link by email").fill(email);
  await form.getByRole("button", { name: "Email me a link" }).click();
  await owner.goto(await linkFromInbox(email, "/api/auth/callback/email"));
  await expect(owner).toHaveURL(/\/organizations\/new$/);

  // The squatter's password and session are gone.
  const [row] = await sql(`SELECT "passwordHash" IS NULL AS dropped FROM "User" WHERE email = $1`, [
    email,
  ]);
  expect(row).toEqual({ dropped: true });
  await page.reload();
  await expect(page).toHaveURL(/\/sign-in/);
});

test("single sign-on through the deployment's OpenID Connect provider creates a verified account", async ({
  page,
}, testInfo) => {
  const email = `sso-${Date.now().toString(36)}@example.test`;
  await page.goto("/sign-in");
  await snapshot(page, testInfo, "sign-in-with-sso");
  await page.getByRole("button", { name: "Sign in with Acme SSO" }).click();

  // The provider's own login and consent pages.
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill("anything");
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click(); // consent: continue

  await expect(page).toHaveURL(/\/organizations\/new$/);
  const rows = await sql(
    `SELECT u."emailVerifiedAt" IS NOT NULL AS verified, a.provider
       FROM "User" u JOIN "Account" a ON a."userId" = u.id WHERE u.email = $1`,
    [email],
  );
  expect(rows).toEqual([{ verified: true, provider: "oidc" }]);
});
