import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers.ts";

test("an owner renames an organisation, restricts its email domain, and deletes it by typing its name", async ({
  page,
}, testInfo) => {
  const slug = `scratch-${Date.now().toString(36)}`;
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  await page.getByRole("link", { name: "+ New organisation" }).click();
  await page.getByLabel("Organisation name").fill("Scratch Team");
  await page.getByLabel("Address").fill(slug);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}$`));

  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Settings" })
    .click();
  const settings = page.getByRole("form", { name: "Organisation settings" });
  await settings.getByLabel("Name").fill("Scratch Renamed");
  await settings.getByLabel("Allowed email domain").fill("not a domain");
  await settings.getByLabel("Allowed email domain").blur();
  await expect(settings.getByText("Enter a domain such as example.com")).toBeVisible();
  await settings.getByLabel("Allowed email domain").fill("scratch.example");
  await settings.getByRole("button", { name: "Save changes" }).click();
  await expect(settings.getByText("Saved.")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Organisations" })).toContainText(
    "Scratch Renamed",
  );
  await snapshot(page, testInfo, "settings");

  const danger = page.getByRole("form", { name: "Delete organisation" });
  const deleteButton = danger.getByRole("button", { name: "Delete organisation" });
  await expect(deleteButton).toBeDisabled();
  await danger.getByLabel("Type Scratch Renamed to confirm").fill("Scratch Renamed");
  await deleteButton.click();
  await expect(page).toHaveURL(/\/o\/acme$/);
  await expect(page.getByRole("navigation", { name: "Organisations" })).not.toContainText(
    "Scratch Renamed",
  );
  await page.goto(`/o/${slug}`);
  await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
});

test("the development mail page lists what Corral sent, to a signed-in operator only", async ({
  page,
}, testInfo) => {
  // Signed out (anyone who can reach the port): no mail, and no reset links in it.
  await page.goto("/dev/mail");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("heading", { name: "Captured mail" })).toHaveCount(0);
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  await page.goto("/dev/mail");
  await expect(page.getByRole("heading", { name: "Captured mail" })).toBeVisible();
  await expect(page.getByRole("listitem").first()).toBeVisible();
  await snapshot(page, testInfo, "dev-mail");
});
