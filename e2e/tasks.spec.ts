// Tasks end to end on the seeded demo-coder (the default agent runtime talking to the demo
// model through the gateway): a task typed in the dashboard streams its transcript live; a
// second one is cancelled mid-run; a schedule fires on its own; the organisation's Tasks page
// shows history, usage and the price table.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers.ts";

test.describe.configure({ mode: "serial" });

/** No serious or critical axe violations in the page as it stands, light and dark. */
async function axe(page: Page, what: string) {
  // Toasts are judged as painted, and mid-fade they fail contrast: let them go first.
  await expect(page.locator("[data-sonner-toast]")).toHaveCount(0, { timeout: 15_000 });
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(300);
    const results = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21aa"])
      .analyze();
    const bad = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (v) =>
          `${v.id}: ${v.nodes.map((n) => `${n.target.join(" ")} (${n.any[0]?.message ?? ""})`).join(", ")}`,
      );
    expect.soft(bad, `${what}, ${scheme}`).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** Signed in, on demo-coder's Tasks tab, once the agent runs (its first start is slow). */
async function openDemoCoderTasks(page: Page) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Agents" })
    .click();
  await page
    .getByTestId("agent-row")
    .filter({ hasText: "demo-coder" })
    .getByRole("link", { name: "demo-coder" })
    .click();
  await expect(page.getByTestId("page-title")).toHaveText("demo-coder");
  // The first start copies the runtime image into the sandbox.
  await expect(page.getByTestId("agent-state")).toHaveText("running", { timeout: 180_000 });
  await page.getByRole("tab", { name: "Tasks" }).click();
  await expect(page).toHaveURL(/[?&]tab=tasks/);
}

test("a task typed in the dashboard streams its transcript live and is listed with its usage", async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await openDemoCoderTasks(page);

  const form = page.getByRole("form", { name: "Give demo-coder a task" });
  // Judged as it is typed, by the API's schema.
  await form.getByRole("button", { name: "Start task" }).click();
  await expect(form.getByText("Say what the agent should do")).toBeVisible();
  await form.getByLabel("What should demo-coder do?").fill("Put a friendly greeting in a file");
  await expect(form.getByText("Say what the agent should do")).toHaveCount(0);
  // A file goes with it (the agent finds it in its workspace).
  await form.getByLabel("Attach files").setInputFiles({
    name: "brief.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("Keep it short.\n"),
  });
  await expect(form.getByTestId("task-file")).toContainText("brief.txt");
  await expect(form.getByText("1 of 10 files")).toBeVisible();
  await form.getByRole("button", { name: "Start task" }).click();
  await expect(page.getByText("Task given to demo-coder.")).toBeVisible();
  await expect(page).toHaveURL(/[?&]task=/);
  const taskUrl = page.url();

  // The transcript fills in as the agent works, without a reload.
  const transcript = page.getByTestId("task-transcript");
  await expect(transcript.getByTestId("transcript-prompt")).toHaveText(
    "Put a friendly greeting in a file",
  );
  await expect(transcript.getByTestId("transcript-inputs")).toContainText("brief.txt");
  const call = transcript.getByTestId("tool-call").first();
  await expect(call.getByTestId("tool-name")).toHaveText("bash", { timeout: 90_000 });
  await expect(call).toContainText("/workspace/hello.txt");
  await expect(transcript.getByTestId("transcript-text").first()).toContainText(
    "I'll do that in the workspace.",
  );
  await expect(transcript.getByTestId("transcript-result")).toContainText(
    "Done: I wrote /workspace/hello.txt.",
    { timeout: 60_000 },
  );
  await expect(transcript.getByTestId("transcript-status")).toHaveText("succeeded");
  await expect(transcript.getByTestId("transcript-usage").first()).toContainText(
    "corral-demo-model",
  );
  await expect(transcript.getByTestId("transcript-tokens")).toHaveText(/[1-9][\d,]* in · [1-9]/);
  // The tool call unfolds to its result: the file it wrote.
  await call.locator("summary").click();
  await expect(call.getByTestId("tool-result")).toContainText("hello.txt");
  await expect(call.getByTestId("tool-result")).toBeVisible();

  // Listed in the history with its usage.
  const row = page.getByTestId("task-row").filter({ hasText: "Put a friendly greeting" });
  await expect(row.getByTestId("task-status")).toHaveText("succeeded");
  await expect(row.getByTestId("task-tokens")).toHaveText(/[1-9][\d,.K]* in · [1-9]/);
  await expect(row.getByTestId("task-started-by")).toHaveText("demo@corral.dev");
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(1280);
  await snapshot(page, testInfo, "task-transcript");
  await axe(page, "a finished task's transcript, tool call open");

  // A reload replays the whole transcript from the start.
  await page.goto(taskUrl);
  await expect(transcript.getByTestId("transcript-result")).toContainText(
    "Done: I wrote /workspace/hello.txt.",
  );
  await expect(transcript.getByTestId("tool-call")).toHaveCount(1);
  await expect(transcript.getByTestId("transcript-text").first()).toContainText(
    "I'll do that in the workspace.",
  );
  // Closing it leaves the history; a row opens it again.
  await transcript.getByRole("link", { name: "Close the transcript" }).click();
  await expect(transcript).toHaveCount(0);
  await row.getByRole("link", { name: "Put a friendly greeting in a file" }).click();
  await expect(transcript.getByTestId("transcript-result")).toBeVisible();
});

test("a running task is cancelled from its transcript", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await openDemoCoderTasks(page);
  const form = page.getByRole("form", { name: "Give demo-coder a task" });
  await form.getByLabel("What should demo-coder do?").fill("Please sleep for a while");
  await form.getByRole("button", { name: "Start task" }).click();

  const transcript = page.getByTestId("task-transcript");
  const call = transcript.getByTestId("tool-call");
  await expect(call).toContainText("sleep 60", { timeout: 90_000 });
  await expect(call).toContainText("running");
  await expect(transcript.getByTestId("transcript-status")).toHaveText("running");
  await snapshot(page, testInfo, "task-running");
  await transcript.getByRole("button", { name: "Cancel task" }).click();
  await expect(page.getByText("Cancel requested: the agent stops the task.")).toBeVisible();
  // The agent confirms (or, failing that, the sweep marks it after a grace period).
  await expect(transcript.getByTestId("transcript-status")).toHaveText("cancelled", {
    timeout: 45_000,
  });
  await expect(transcript.getByRole("button", { name: "Cancel task" })).toHaveCount(0);
  const row = page.getByTestId("task-row").filter({ hasText: "Please sleep for a while" });
  await expect(row.getByTestId("task-status")).toHaveText("cancelled");
  await snapshot(page, testInfo, "task-cancelled");

  // The history filters by status.
  await page.getByLabel("Status").selectOption({ label: "cancelled" });
  await expect(page).toHaveURL(/status=CANCELLED/);
  await expect(page.getByTestId("task-row")).not.toHaveCount(0);
  for (const status of await page.getByTestId("task-status").allTextContents())
    expect(status).toBe("cancelled");
  await page.getByLabel("Status").selectOption({ label: "any status" });
  await expect(page.getByTestId("task-row").filter({ hasText: "friendly greeting" })).toBeVisible();

  // Task settings and the standing instructions, judged by the API's schema as typed.
  const settings = page.getByRole("form", { name: "Task settings" });
  await settings.getByLabel("Tasks at once").fill("9");
  await settings.getByLabel("Tasks at once").blur();
  await expect(settings.getByText("At most 8")).toBeVisible();
  await settings.getByLabel("Tasks at once").fill("2");
  await expect(settings.getByText("Unsaved changes")).toBeVisible();
  const instructions = settings.getByLabel(/Standing instructions/);
  await instructions.fill(`${await instructions.inputValue()}\nAnswer in one sentence.`);
  await settings.getByRole("button", { name: "Save task settings" }).click();
  await expect(page.getByText("Task settings of demo-coder saved")).toBeVisible();
  await page.reload();
  await expect(settings.getByLabel("Tasks at once")).toHaveValue("2");
  await expect(settings.getByLabel(/Standing instructions/)).toHaveValue(
    /Answer in one sentence\.$/,
  );
  await expect(settings.getByText("Unsaved changes")).toHaveCount(0);
});

test("a schedule previews its next runs, fires on its own, and is paused, run and deleted", async ({
  page,
}, testInfo) => {
  // pg-boss's scheduler checks every few seconds, and a run starts on the minute.
  test.setTimeout(300_000);
  await openDemoCoderTasks(page);

  await page.getByRole("button", { name: "New schedule" }).click();
  const form = page.getByRole("form", { name: "New schedule" });
  await form.getByLabel("Name").fill("every minute!");
  await form.getByLabel("Name").blur();
  await expect(form.getByText("Letters, digits, space, dot, dash and underscore")).toBeVisible();
  await form.getByLabel("Name").fill("e2e-every-minute");
  await form.getByLabel("Time zone").fill("Mars/Olympus");
  await form.getByLabel("Time zone").blur();
  await expect(form.getByText("A time zone such as UTC or Europe/Berlin")).toBeVisible();
  await form.getByLabel("Time zone").fill("UTC");
  // The next five runs, from the scheduler itself, as the expression is typed.
  const preview = form.getByTestId("schedule-preview");
  await form.getByLabel("Cron expression").fill("0 9 * * 1-5");
  await expect(preview.getByRole("listitem")).toHaveCount(5);
  await expect(preview.getByRole("listitem").first()).toContainText("09:00");
  await form.getByLabel("Cron expression").fill("99 * * * *");
  await expect(preview).toContainText("does not understand");
  await form.getByLabel("Cron expression").fill("* * * * *");
  await expect(preview.getByRole("listitem")).toHaveCount(5);
  await form.getByLabel("Prompt").fill("write /workspace/scheduled.txt: written on schedule");
  await snapshot(page, testInfo, "schedule-form");
  await axe(page, "the schedule form with its preview");
  await form.getByRole("button", { name: "Create schedule" }).click();
  await expect(page.getByText("Schedule e2e-every-minute created.")).toBeVisible();

  const schedule = page.getByTestId("schedule-row").filter({ hasText: "e2e-every-minute" });
  await expect(schedule.getByTestId("schedule-cron")).toHaveText("* * * * *");
  await expect(schedule.getByTestId("schedule-state")).toHaveText("active");
  await expect(schedule.getByTestId("schedule-next-runs").getByRole("listitem")).toHaveCount(5);
  // On a phone the tables scroll inside the page, which stays as wide as the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(390);
  await snapshot(page, testInfo, "agent-tasks-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // It fires on its own within the next minute or two, and its task succeeds.
  const fired = page
    .getByTestId("task-row")
    .filter({ has: page.getByTestId("task-started-by").filter({ hasText: "e2e-every-minute" }) })
    .first();
  await expect(fired).toBeVisible({ timeout: 130_000 });
  await expect(fired.getByTestId("task-started-by")).toHaveText("schedule e2e-every-minute");
  await expect(fired.getByTestId("task-status")).toHaveText("succeeded", { timeout: 60_000 });
  await fired.getByRole("link").first().click();
  await expect(page.getByTestId("task-transcript").getByTestId("transcript-result")).toContainText(
    "Done: I wrote /workspace/scheduled.txt.",
  );
  await expect(schedule.getByTestId("schedule-last-run")).not.toHaveText("never");
  await snapshot(page, testInfo, "schedule-fired");

  // Paused, it names no next runs; "Run now" still gives a task at once.
  await schedule.getByRole("button", { name: "Pause e2e-every-minute" }).click();
  await expect(schedule.getByTestId("schedule-state")).toHaveText("paused");
  await expect(schedule.getByTestId("schedule-next-runs")).toHaveCount(0);
  await schedule.getByRole("button", { name: "Run now e2e-every-minute" }).click();
  await expect(page.getByText("Schedule e2e-every-minute ran")).toBeVisible();
  await expect(page.getByTestId("task-transcript").getByTestId("transcript-result")).toContainText(
    "Done: I wrote /workspace/scheduled.txt.",
    { timeout: 60_000 },
  );
  await schedule.getByRole("button", { name: "Resume e2e-every-minute" }).click();
  await expect(schedule.getByTestId("schedule-state")).toHaveText("active");

  await schedule.getByRole("button", { name: "Delete e2e-every-minute" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete schedule" }).click();
  await expect(page.getByText("Schedule e2e-every-minute deleted")).toBeVisible();
  await expect(schedule).toHaveCount(0);
  // Its tasks stay in the history.
  await expect(fired).toBeVisible();
});

test("the organisation's Tasks page shows every agent's history, usage and the price table", async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  // From the keyboard, with the command palette.
  await page.keyboard.press("Control+k");
  await page
    .getByRole("dialog")
    .getByPlaceholder("Type a page, an agent or an organisation…")
    .fill("tasks");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("page-title")).toHaveText("Tasks");
  await expect(
    page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Tasks" }),
  ).toHaveAttribute("aria-current", "page");

  // History across agents, live.
  await expect(page.getByTestId("live-indicator").first()).toHaveText("live");
  const rows = page.getByTestId("task-row");
  await expect(rows.filter({ hasText: "Put a friendly greeting" })).toContainText("demo-coder");
  await expect(rows.filter({ hasText: "Please sleep" })).toContainText("cancelled");
  await page.getByLabel("Agent").selectOption({ label: "hello-agent" });
  await expect(page).toHaveURL(/agent=/);
  await expect(page.getByText("No tasks match these filters.")).toBeVisible();
  await page.getByLabel("Agent").selectOption({ label: "demo-coder" });
  await expect(rows.filter({ hasText: "Put a friendly greeting" })).toBeVisible();
  // A row opens its transcript here too.
  await rows.filter({ hasText: "Put a friendly greeting" }).click();
  const transcript = page.getByTestId("task-transcript");
  await expect(transcript.getByTestId("transcript-result")).toContainText("Done: I wrote");
  await expect(transcript.getByRole("link", { name: "demo-coder" })).toBeVisible();

  // Usage: totals and the two charts, zero days included.
  const totals = page.getByTestId("usage-totals");
  await expect(totals).toContainText("Estimated cost");
  await expect(page.getByTestId("usage-tokens-chart")).toBeVisible();
  await expect(page.getByTestId("usage-cost-chart")).toBeVisible();
  await expect(
    page.getByTestId("usage-model-row").filter({ hasText: "corral-demo-model" }),
  ).toBeVisible();

  // Wide tables scroll inside the page, which never gets wider than the window.
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(1280);
  await snapshot(page, testInfo, "tasks-page");
  await axe(page, "the organisation's Tasks page with a transcript open");
  await page.setViewportSize({ width: 390, height: 844 });
  // (Charts follow the new width once their resize observer fires.)
  await expect
    .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
    .toBeLessThanOrEqual(390);
  await snapshot(page, testInfo, "tasks-page-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // The price table: list prices, and an owner's own.
  const prices = page.getByRole("table", { name: "Model prices" });
  await expect(page.getByRole("heading", { name: "Model prices (estimated cost)" })).toBeVisible();
  await expect(
    prices.getByTestId("price-row").filter({ hasText: "claude-sonnet-4-5" }),
  ).toContainText("list price");
  await page.getByRole("button", { name: "Add a model" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Model").fill("e2e-model");
  await dialog.getByLabel("Input ($ per million tokens)").fill("abc");
  await dialog.getByLabel("Output ($ per million tokens)").fill("7.5");
  await dialog.getByRole("button", { name: "Save price" }).click();
  await expect(dialog.getByText("Dollars per million tokens, e.g. 3 or 0.8")).toBeVisible();
  await dialog.getByLabel("Input ($ per million tokens)").fill("1.5");
  await dialog.getByRole("button", { name: "Save price" }).click();
  await expect(page.getByText("Price of e2e-model saved")).toBeVisible();
  const own = prices.getByTestId("price-row").filter({ hasText: "e2e-model" });
  await expect(own).toContainText("$1.5");
  await expect(own).toContainText("$7.5");
  await expect(own).toContainText("your price");
  await own.getByRole("button", { name: "Edit the price of e2e-model" }).click();
  await page.getByRole("dialog").getByLabel("Input ($ per million tokens)").fill("2");
  await page.getByRole("dialog").getByRole("button", { name: "Save price" }).click();
  await expect(own).toContainText("$2");
  await expect(own).toContainText("$7.5");
});
