// Every page, light and dark, desktop and phone width: an axe scan with no serious or
// critical violations, and a screenshot kept as an artefact.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers.ts";

const variants = [
  { scheme: "light", width: 1280, height: 800 },
  { scheme: "dark", width: 1280, height: 800 },
  { scheme: "light", width: 390, height: 844 },
  { scheme: "dark", width: 390, height: 844 },
] as const;

async function scan(page: Page, name: string, testInfo: Parameters<typeof snapshot>[1]) {
  for (const v of variants) {
    await page.setViewportSize({ width: v.width, height: v.height });
    await page.emulateMedia({ colorScheme: v.scheme });
    await page.waitForLoadState("networkidle");
    const results = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21aa"])
      .analyze();
    const bad = results.violations
      .filter((x) => x.impact === "serious" || x.impact === "critical")
      .map(
        (x) =>
          `${x.id} (${x.impact}): ${x.nodes
            .map((n) => n.target.join(" "))
            .slice(0, 3)
            .join(", ")}`,
      );
    expect.soft(bad, `${name}, ${v.scheme}, ${v.width}px`).toEqual([]);
    await snapshot(page, testInfo, `a11y-${name}-${v.scheme}-${v.width}`);
  }
}

test("signed-out pages pass axe in light and dark, desktop and phone", async ({
  page,
}, testInfo) => {
  // Sixteen scans and full-page screenshots, first in the run while the worker still starts.
  test.setTimeout(120_000);
  for (const [name, path] of [
    ["sign-in", "/sign-in"],
    ["sign-up", "/sign-up"],
    ["forgot-password", "/forgot-password"],
  ] as const) {
    await page.goto(path);
    await scan(page, name, testInfo);
  }
});

test("dashboard pages pass axe in light and dark, desktop and phone", async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const base = new URL(page.url()).pathname.replace(/\/$/, "");

  // An agent to look at (created stopped; removed at the end).
  await page.goto(`${base}/agents`);
  const form = page.getByRole("form", { name: "Create an agent" });
  await form.getByLabel("Name", { exact: true }).fill("a11y-probe");
  await form.getByLabel("Start it now").uncheck();
  await form.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("a11y-probe");
  const agentPath = new URL(page.url()).pathname;

  for (const [name, path] of [
    ["overview", base],
    ["agents", `${base}/agents`],
    ["agent", agentPath],
    ["agent-network", `${agentPath}?tab=network`],
    ["agent-tasks", `${agentPath}?tab=tasks`],
    ["tasks", `${base}/tasks`],
    ["secrets", `${base}/secrets`],
    ["secret-usage", `${base}/secrets/usage`],
    ["members", `${base}/members`],
    ["audit", `${base}/audit`],
    ["audit-settings", `${base}/audit/settings`],
    ["api-keys", `${base}/api-keys`],
    ["settings", `${base}/settings`],
    ["fleet", `${base}/fleet`],
  ] as const) {
    await page.goto(path);
    await expect(page.getByTestId("page-title")).toBeVisible();
    await scan(page, name, testInfo);
  }

  await page.goto(agentPath);
  await page.getByLabel("Type a11y-probe to confirm").fill("a11y-probe");
  await page.getByRole("button", { name: "Delete agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("Agents");
});
