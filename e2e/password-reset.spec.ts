import { expect, test } from "@playwright/test";
import { linkFromInbox, snapshot } from "./helpers.ts";

const email = `pat-${Date.now().toString(36)}@example.test`;

test("a forgotten password is reset by email, and every other session ends", async ({
  browser,
}, testInfo) => {
  const laptop = await (await browser.newContext()).newPage();
  await laptop.goto("/sign-up");
  await laptop.getByLabel("Your name").fill("Pat Forgetful");
  await laptop.getByLabel("Work email").fill(email);
  await laptop.getByLabel("Password").fill("the first long passphrase");
  await laptop.getByRole("button", { name: "Create account" }).click();
  await expect(laptop).toHaveURL(/\/organizations\/new$/);

  const phone = await (await browser.newContext()).newPage();
  await phone.goto("/sign-in");
  await phone.getByRole("link", { name: "Forgot your password?" }).click();
  // The sign-in page has an Email field too: wait until the reset form replaced it.
  await expect(phone.getByRole("button", { name: "Email me a reset link" })).toBeVisible();
  await phone.getByLabel("Email", { exact: true }).fill(email);
  await phone.getByRole("button", { name: "Email me a reset link" }).click();
  await expect(phone.getByTestId("reset-sent")).toContainText(`If an account exists for ${email}`);
  await snapshot(phone, testInfo, "forgot-password");

  await phone.goto(await linkFromInbox(email, "/reset-password?token="));
  await phone.getByLabel("New password").fill("password1234");
  await phone.getByRole("button", { name: "Set new password" }).click();
  await expect(
    phone.getByText("This password appears in lists of leaked passwords. Choose another."),
  ).toBeVisible();
  await phone.getByLabel("New password").fill("the second long passphrase");
  await phone.getByRole("button", { name: "Set new password" }).click();
  await expect(phone.getByTestId("sign-in-notice")).toBeVisible();
  await expect(phone.getByLabel("Email", { exact: true })).toHaveValue(email);
  await snapshot(phone, testInfo, "sign-in-after-reset");

  // The laptop's session ended with the reset.
  await laptop.reload();
  await expect(laptop).toHaveURL(/\/sign-in/);

  await phone.getByLabel("Password").fill("the second long passphrase");
  await phone.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(phone).toHaveURL(/\/organizations\/new$/);
});
