import { expect, test } from "@playwright/test";
import { linkFromInbox, snapshot } from "./helpers.ts";

const run = Date.now().toString(36);
const user = {
  name: "Nia New",
  email: `nia-${run}@example.test`,
  password: "a brand new long passphrase",
};

test("a new user follows the checklist to a first agent running, and the checklist goes away", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  await page.goto("/sign-up");
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("Work email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/organizations\/new$/);
  await page.goto(await linkFromInbox(user.email, "/verify-email?token="));
  await page.goto("/organizations/new");
  await page.getByLabel("Organisation name").fill(`Nia Labs ${run}`);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page.getByTestId("page-title")).toHaveText(`Nia Labs ${run}`);

  const checklist = page.getByTestId("onboarding");
  await expect(checklist.getByTestId("onboarding-progress")).toHaveText("1 of 4 done");
  await snapshot(page, testInfo, "onboarding-start");

  await checklist.getByRole("link", { name: "Invite a teammate" }).click();
  const invite = page.getByRole("form", { name: "Invite a teammate" });
  await invite.getByLabel("Email address").fill(`pal-${run}@example.test`);
  await invite.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation sent to pal-${run}@example.test.`)).toBeVisible();

  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Overview" })
    .click();
  await expect(checklist.getByTestId("onboarding-progress")).toHaveText("2 of 4 done");
  await checklist.getByRole("link", { name: "Create your first agent" }).click();
  const form = page.getByRole("form", { name: "Create an agent" });
  await form.getByLabel("Name", { exact: true }).fill("first");
  await form.getByLabel("Command").fill(`sh -c "echo ready; sleep 3600"`);
  await form.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByTestId("agent-state")).toHaveText("running", { timeout: 120_000 });

  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Overview" })
    .click();
  await expect(page.getByTestId("agents-summary")).toContainText("1 of 1 running");
  await expect(checklist).toBeHidden();
  await snapshot(page, testInfo, "onboarding-done");

  // Clean up the sandbox.
  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Agents" })
    .click();
  await page.getByRole("link", { name: "first", exact: true }).click();
  await page.getByLabel("Type first to confirm").fill("first");
  await page.getByRole("button", { name: "Delete agent" }).click();
  await expect(page.getByText("No agents yet.")).toBeVisible();
});
