import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers.ts";

test("an owner filters the audit log, opens an event, exports what they see, and verifies the chain", async ({
  page,
}, testInfo) => {
  await signIn(page);
  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Audit log" })
    .click();
  await expect(page.getByTestId("page-title")).toHaveText("Audit log");
  await expect(page.getByTestId("audit-row").first()).toBeVisible();

  const filters = page.getByRole("form", { name: "Filter the audit log" });
  await filters.getByLabel("Action").fill("member.");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/\/audit\?action=member\.$/);
  const rows = page.getByTestId("audit-row");
  await expect(rows.first()).toContainText("member.added");
  const shown = await rows.count();
  for (const action of await rows.locator("td:nth-child(3)").allTextContents())
    expect(action).toMatch(/^member\./);
  await snapshot(page, testInfo, "audit-log");

  // The deep link reproduces the view.
  await page.reload();
  await expect(page.getByTestId("audit-row")).toHaveCount(shown);

  await rows.first().getByRole("button").click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("heading", { name: "member.added" })).toBeVisible();
  await expect(drawer).toContainText("demo@corral.dev");
  await snapshot(page, testInfo, "audit-event");
  await page.keyboard.press("Escape");
  await expect(drawer).toBeHidden();

  for (const format of ["CSV", "NDJSON"] as const) {
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: `Export ${format}` }).click();
    const file = await (await download).path();
    const lines = (await readFile(file, "utf8")).trim().split(/\r?\n/);
    const data = format === "CSV" ? lines.slice(1) : lines;
    expect(data).toHaveLength(shown);
    if (format === "NDJSON")
      for (const line of data) expect(JSON.parse(line).action).toMatch(/^member\./);
    await expect(page.getByTestId("export-progress")).toHaveText(
      `Exported ${shown} events as ${format}.`,
    );
  }

  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("verify-chain-result")).toHaveText(
    /^Chain intact: \d+ events verified\.$/,
  );
});

test("the export API refuses a caller who is not signed in, and an unknown format", async ({
  playwright,
}, testInfo) => {
  const anonymous = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL });
  const res = await anonymous.get("/api/orgs/acme/audit/export?format=csv");
  expect(res.status()).toBe(401);
  const bad = await anonymous.get("/api/orgs/acme/audit/export?format=xml");
  expect(bad.status()).toBe(400);
  await anonymous.dispose();
});
