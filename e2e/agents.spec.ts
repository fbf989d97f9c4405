import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers.ts";

test("a member creates an agent, sees it running with its logs, and stops it", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  await signIn(page);
  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Agents" })
    .click();
  await expect(page.getByTestId("page-title")).toHaveText("Agents");
  // States arrive pushed over server-sent events.
  await expect(page.getByTestId("live-indicator")).toHaveText("live");

  const form = page.getByRole("form", { name: "Create an agent" });
  await form.getByLabel("Name").fill("Bad Name");
  await form.getByLabel("Image").focus();
  await expect(form.getByText("Use lower-case letters, digits and dashes")).toBeVisible();
  await form.getByLabel("Name").fill("greeter");
  await form
    .getByLabel("Command")
    .fill(`sh -c "echo hello from greeter; while true; do echo tick; sleep 1; done"`);
  await form.getByLabel("Environment (not secrets)").fill("GITHUB_TOKEN=abc");
  await form.getByLabel("CPU (millicores)").focus();
  await expect(form.getByText("GITHUB_TOKEN looks like a secret")).toBeVisible();
  await form.getByLabel("Environment (not secrets)").fill("GREETING=hello");
  await form.getByRole("button", { name: "Create agent" }).click();

  // The agent's page: the local worker provisions the sandbox and starts the container.
  await expect(page.getByTestId("page-title")).toHaveText("greeter");
  await expect(page.getByTestId("agent-state")).toHaveText("running", { timeout: 120_000 });
  await expect(page.getByTestId("agent-logs")).toContainText("hello from greeter", {
    timeout: 30_000,
  });
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
  await expect(page.getByTestId("agent-cpu")).toBeVisible({ timeout: 30_000 });
  // Its workspace's disk, measured by the worker inside the sandbox: used of its size.
  await expect(page.getByTestId("agent-workspace")).toContainText(/MiB of \d+ MiB/, {
    timeout: 30_000,
  });
  await snapshot(page, testInfo, "agent-running");

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByText("Stopping greeter…")).toBeVisible();
  await expect(page.getByTestId("agent-state")).toHaveText("stopped", { timeout: 60_000 });
  await expect(page.getByTestId("agent-history")).toContainText(
    "stop requested by demo@corral.dev",
  );

  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Agents" })
    .click();
  await expect(page.getByTestId("agent-row").filter({ hasText: "greeter" })).toContainText(
    "stopped",
  );
  await expect(page.getByTestId("sandbox-status")).toContainText("ready");
  // The table filters and sorts.
  await page.getByLabel("Filter agents").fill("no-such-agent");
  await expect(page.getByText("Nothing matches “no-such-agent”.")).toBeVisible();
  await page.getByLabel("Filter agents").fill("greet");
  await expect(page.getByTestId("agent-row")).toHaveCount(1);
  await page.getByRole("columnheader", { name: "Agent" }).getByRole("button").click();
  await expect(page.getByRole("columnheader", { name: "Agent" })).toHaveAttribute(
    "aria-sort",
    "ascending",
  );
  await snapshot(page, testInfo, "agents");

  // Operators see the host that ran it.
  // …reached from the keyboard with the command palette.
  await page.keyboard.press("Control+k");
  const palette = page.getByRole("dialog");
  await palette.getByPlaceholder("Type a page, an agent or an organisation…").fill("fleet");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("page-title")).toHaveText("Fleet");
  const host = page.getByTestId("host-row").filter({ hasText: "e2e-worker" });
  await expect(host).toContainText("Acme Robotics");
  // Each sandbox's storage (images, containers, workspaces) against its fixed size.
  await expect(
    host.getByTestId("sandbox").filter({ hasText: "Acme Robotics" }).getByTestId("sandbox-storage"),
  ).toContainText(/of \d+(\.\d)? GiB/, { timeout: 30_000 });
  await snapshot(page, testInfo, "fleet");

  // Clean up: the sandbox goes with the organisation's last agent.
  await page.keyboard.press("Control+k");
  await page
    .getByRole("dialog")
    .getByPlaceholder("Type a page, an agent or an organisation…")
    .fill("greeter");
  await expect(page.getByRole("option", { name: /greeter/ })).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("page-title")).toHaveText("greeter");
  await page.getByLabel("Type greeter to confirm").fill("greeter");
  await page.getByRole("button", { name: "Delete agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("Agents");
  await expect(page.getByTestId("agent-row").filter({ hasText: "greeter" })).toHaveCount(0);
  // The demo agent from the seed is still there, running.
  await expect(page.getByTestId("agent-row").filter({ hasText: "hello-agent" })).toContainText(
    "running",
  );
});
