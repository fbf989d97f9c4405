import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { signIn, snapshot, sql } from "./helpers.ts";
import { upstreamPort } from "./upstream.ts";

/** No serious or critical axe violations in the page as it stands (dialogs and filled tables). */
async function axe(page: Page, what: string) {
  // Let toasts finish fading in: axe judges contrast as painted.
  await page.waitForTimeout(500);
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21aa"])
    .analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect.soft(bad, what).toEqual([]);
}

test("an owner adds a secret, grants it to an agent, sets its egress policy, quarantines and releases it, rotates and deletes the secret", async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const sections = page.getByRole("navigation", { name: "Sections" });

  // An agent of its own to grant to (created stopped; removed at the end).
  await sections.getByRole("link", { name: "Agents" }).click();
  const agentForm = page.getByRole("form", { name: "Create an agent" });
  await agentForm.getByLabel("Name", { exact: true }).fill("vault-probe");
  await agentForm.getByLabel("Start it now").uncheck();
  await agentForm.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("vault-probe");
  const agentPath = new URL(page.url()).pathname;

  // The Secrets page: the demo model's key, seeded for demo-coder, is the only one so far.
  await sections.getByRole("link", { name: "Secrets" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("Secrets");
  await expect(page.getByTestId("secret-row")).toHaveCount(1);
  await expect(page.getByTestId("secret-row")).toContainText("DEMO_MODEL_KEY");

  // A secret: the name is judged as it is typed; the value is write-only.
  const value = `sk-ant-e2e-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  const create = page.getByRole("form", { name: "Add a secret" });
  await expect(create.getByText("Nobody can read it back; agents never see it")).toBeVisible();
  await create.getByLabel("Name").fill("9 lives");
  await create.getByLabel("Name").blur();
  await expect(create.getByText("starting with a letter")).toBeVisible();
  await create.getByLabel("Name").fill("ANTHROPIC_KEY");
  await create.getByLabel("Description (optional)").fill("Claude for the probe");
  await create.getByLabel("Value").fill(value);
  await expect(create.getByLabel("Value")).toHaveAttribute("type", "password");
  await create.getByRole("button", { name: "Add secret" }).click();
  await expect(page.getByText("Secret ANTHROPIC_KEY saved.")).toBeVisible();
  const row = page.getByTestId("secret-row").filter({ hasText: "ANTHROPIC_KEY" });
  await expect(row.getByTestId("secret-version")).toHaveText("v1");
  await expect(row).toContainText("no agent");
  // Never shown again: not in the form, not anywhere on the page, not after a reload.
  await expect(create.getByLabel("Value")).toHaveValue("");
  expect(await page.content()).not.toContain(value);
  await page.reload();
  await expect(row).toBeVisible();
  expect(await page.content()).not.toContain(value);

  // Granted to the agent for one host, with a placeholder variable for its SDK.
  await row.getByRole("button", { name: "Grant ANTHROPIC_KEY" }).click();
  const grant = page.getByRole("form", { name: "Grant a secret to an agent" });
  await expect(grant.getByLabel("Agent")).toBeFocused();
  await expect(grant.getByLabel("Secret")).toHaveValue(/.+/);
  await grant.getByLabel("Agent").selectOption({ label: "vault-probe" });
  await grant.getByLabel("Hosts").fill("api.anthropic.com, bad_host");
  await grant.getByLabel("Hosts").blur();
  await expect(grant.getByText("“bad_host”: A host such as api.example.com")).toBeVisible();
  await grant.getByLabel("Hosts").fill("api.anthropic.com");
  await expect(grant.getByLabel("x-api-key: {value}")).toBeChecked();
  await grant.getByLabel("Placeholder variable (optional)").fill("ANTHROPIC_API_KEY");
  await grant.getByRole("button", { name: "Grant secret" }).click();
  await expect(page.getByText("ANTHROPIC_KEY granted to vault-probe")).toBeVisible();
  const grantRow = row.getByTestId("secret-grant").filter({ hasText: "vault-probe" });
  await expect(grantRow).toContainText("api.anthropic.com");
  await expect(grantRow).toContainText("x-api-key: {value}");
  await expect(grantRow).toContainText("$ANTHROPIC_API_KEY");
  await snapshot(page, testInfo, "secrets");
  await axe(page, "secrets page with a granted secret");

  // The agent's Network & secrets tab, reached from the keyboard.
  await grantRow.getByRole("link", { name: "vault-probe" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("vault-probe");
  await page.getByRole("tab", { name: "Overview" }).focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Network & secrets" })).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await expect(page.getByRole("tab", { name: "Network & secrets" })).toBeFocused();
  await expect(page).toHaveURL(/\?tab=network$/);
  const granted = page.getByTestId("agent-grant");
  await expect(granted).toHaveCount(1);
  await expect(granted).toContainText("ANTHROPIC_KEY");
  await expect(granted).toContainText("api.anthropic.com");
  await expect(granted).toContainText("ANTHROPIC_API_KEY");
  await expect(page.getByText("No requests yet.")).toBeVisible();

  // A custom policy: allow the model's API, deny deleting through it; judged as typed.
  const policy = page.getByRole("form", { name: "Egress policy" });
  await expect(policy.getByRole("radio", { name: /No network/ })).toBeChecked();
  await policy.getByRole("radio", { name: /Custom/ }).check();
  await expect(policy.getByText("Deny rules win")).toBeVisible();
  await policy.getByRole("button", { name: "Add rule" }).click();
  const first = page.getByTestId("egress-rule").nth(0);
  await expect(first.getByLabel("Host")).toBeFocused();
  await first.getByLabel("Host").fill("api.anthropic.com");
  await first.getByLabel("Ports").fill("https");
  await first.getByLabel("Ports").blur();
  await expect(first.getByText("Ports are numbers from 1 to 65535")).toBeVisible();
  await first.getByLabel("Ports").fill("443");
  await first.getByLabel("Path prefixes").fill("/v1/");
  await policy.getByRole("button", { name: "Add rule" }).click();
  const second = page.getByTestId("egress-rule").nth(1);
  await second.getByLabel("Action").selectOption("deny");
  await second.getByLabel("Host").fill("api.anthropic.com");
  await second.getByLabel("Methods").fill("delete");
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByText("Policy saved")).toBeVisible();
  await page.reload();
  await expect(policy.getByRole("radio", { name: /Custom/ })).toBeChecked();
  await expect(page.getByTestId("egress-rule")).toHaveCount(2);
  await expect(first.getByLabel("Ports")).toHaveValue("443");
  await expect(second.getByLabel("Action")).toHaveValue("deny");
  await expect(second.getByLabel("Methods")).toHaveValue("DELETE");

  // Quarantine: one button, an optional reason; the badge shows at once.
  await page.getByRole("button", { name: "Quarantine" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("refuses every request");
  await dialog.getByLabel("Reason (optional)").fill("e2e drill");
  await dialog.getByRole("button", { name: "Quarantine" }).click();
  await expect(page.getByTestId("agent-quarantined")).toHaveText("quarantined");
  await expect(page.getByTestId("quarantine-reason")).toHaveText("Reason: e2e drill");
  await expect(page.getByText("Suspended while the agent is quarantined.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeDisabled();
  await snapshot(page, testInfo, "agent-quarantined");
  await axe(page, "quarantined agent with custom rules");
  await sections.getByRole("link", { name: "Agents" }).click();
  await expect(page.getByTestId("agent-row").filter({ hasText: "vault-probe" })).toContainText(
    "quarantined",
  );
  await page.goBack();
  await expect(page.getByRole("tab", { name: "Network & secrets" })).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await page.getByRole("button", { name: "Release" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Release" }).click();
  await expect(page.getByText("vault-probe released")).toBeVisible();
  await expect(page.getByTestId("agent-quarantined")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Quarantine" })).toBeVisible();
  await snapshot(page, testInfo, "agent-network");

  // Rotation makes version 2; the new value is as invisible as the first.
  await sections.getByRole("link", { name: "Secrets" }).click();
  const rotated = `sk-ant-e2e-rotated-${Date.now().toString(36)}`;
  await row.getByRole("button", { name: "Rotate ANTHROPIC_KEY" }).click();
  const rotate = page.getByRole("dialog");
  await rotate.getByLabel("New value").fill(rotated);
  await axe(page, "rotate dialog");
  await rotate.getByRole("button", { name: "Rotate secret" }).click();
  await expect(page.getByText("ANTHROPIC_KEY is now version 2")).toBeVisible();
  await expect(row.getByTestId("secret-version")).toHaveText("v2");
  expect(await page.content()).not.toContain(rotated);

  // The ledger page, linked from here: nothing used yet, live.
  await page.getByRole("link", { name: "Usage ledger" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("Secret usage");
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
  await page.getByRole("form", { name: "Filter the ledger" }).getByLabel("Secret").selectOption({
    label: "ANTHROPIC_KEY",
  });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/secret=/);
  await expect(page.getByRole("form", { name: "Filter the ledger" })).toHaveCount(1);
  await expect(page.getByText("No uses match these filters.")).toBeVisible();
  await snapshot(page, testInfo, "secret-usage");
  await sections.getByRole("link", { name: "Secrets" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("Secrets");

  // Deleting asks for the name, and takes every grant with it.
  await row.getByRole("button", { name: "Delete ANTHROPIC_KEY" }).click();
  const confirm = page.getByRole("dialog");
  await expect(confirm).toContainText("every grant of it is revoked");
  await expect(confirm.getByRole("button", { name: "Delete secret" })).toBeDisabled();
  await confirm.getByLabel("Type ANTHROPIC_KEY to confirm").fill("ANTHROPIC_KEY");
  await confirm.getByRole("button", { name: "Delete secret" }).click();
  await expect(page.getByText("ANTHROPIC_KEY deleted; its grants are revoked.")).toBeVisible();
  await expect(page.getByTestId("secret-row").filter({ hasText: "ANTHROPIC_KEY" })).toHaveCount(0);
  await page.goto(`${agentPath}?tab=network`);
  await expect(page.getByText("No secrets granted to vault-probe.")).toBeVisible();
  await expect(page.getByTestId("agent-grant")).toHaveCount(0);

  // Clean up.
  await page.getByRole("tab", { name: "Overview" }).click();
  await page.getByLabel("Type vault-probe to confirm").fill("vault-probe");
  await page.getByRole("button", { name: "Delete agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("Agents");
});

test("the organisation's egress ceiling bounds every agent and shows on its policy", async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const sections = page.getByRole("navigation", { name: "Sections" });
  await sections.getByRole("link", { name: "Settings" }).click();
  const ceiling = page.getByRole("form", { name: "Egress ceiling" });
  await ceiling.getByLabel("Limit every agent to these hosts").check();
  await expect(ceiling.getByText("no agent reaches anything")).toBeVisible();
  await ceiling.getByLabel("Allowed hosts").fill("api.anthropic.com\n*.github.com\nbad_host");
  await ceiling.getByLabel("Allowed hosts").blur();
  await expect(ceiling.getByText("“bad_host”: A host such as api.example.com")).toBeVisible();
  await ceiling.getByLabel("Allowed hosts").fill("api.anthropic.com\n*.github.com");
  await ceiling.getByRole("button", { name: "Save ceiling" }).click();
  await expect(page.getByText("Ceiling on: agents reach at most 2 hosts.")).toBeVisible();
  await snapshot(page, testInfo, "settings-egress-ceiling");

  // The command palette reaches the ledger and the secrets from the keyboard.
  await page.keyboard.press("Control+k");
  await page
    .getByRole("dialog")
    .getByPlaceholder("Type a page, an agent or an organisation…")
    .fill("secret usage");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("page-title")).toHaveText("Secret usage");

  // The seeded agent's policy names the ceiling.
  await sections.getByRole("link", { name: "Agents" }).click();
  await page.getByRole("link", { name: "hello-agent" }).click();
  await page.getByRole("tab", { name: "Network & secrets" }).click();
  await expect(
    page.getByText("limits every agent to api.anthropic.com, *.github.com"),
  ).toBeVisible();

  // Off again, so other tests see an organisation without one.
  await sections.getByRole("link", { name: "Settings" }).click();
  await ceiling.getByLabel("Limit every agent to these hosts").uncheck();
  await ceiling.getByRole("button", { name: "Save ceiling" }).click();
  await expect(page.getByText("Ceiling off")).toBeVisible();
});

test("the ledger and the gateway's decisions appear live, and older uses load page by page", async ({
  page,
}, testInfo) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const base = new URL(page.url()).pathname.replace(/\/$/, "");
  const sections = page.getByRole("navigation", { name: "Sections" });

  await sections.getByRole("link", { name: "Agents" }).click();
  const agentForm = page.getByRole("form", { name: "Create an agent" });
  await agentForm.getByLabel("Name", { exact: true }).fill("ledger-probe");
  await agentForm.getByLabel("Start it now").uncheck();
  await agentForm.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("ledger-probe");
  const agentPath = new URL(page.url()).pathname;
  const agentId = agentPath.split("/").at(-1) ?? "";

  await sections.getByRole("link", { name: "Secrets" }).click();
  const create = page.getByRole("form", { name: "Add a secret" });
  await create.getByLabel("Name").fill("LEDGER_KEY");
  await create.getByLabel("Value").fill("ledger-value-never-shown");
  await create.getByRole("button", { name: "Add secret" }).click();
  await expect(page.getByTestId("secret-row").filter({ hasText: "LEDGER_KEY" })).toBeVisible();
  const [secret] = await sql(`SELECT id, "orgId" FROM "Secret" WHERE name = 'LEDGER_KEY'`);

  // Rows written the way the worker's gateway reports them, to show paging (the test below
  // sends real traffic through the gateway): 60 uses, more than one page.
  const addUses = (count: number, path: string, status: number) =>
    sql(
      `INSERT INTO "SecretUse" ("orgId", "agentId", "secretId", "secretName", version, host, method, path, status, bytes, at)
       SELECT $1, $2, $3, 'LEDGER_KEY', 1, 'api.anthropic.com', 'POST', $4 || n, $5, 1000 * n, now()
       FROM generate_series(1, $6::int) AS n`,
      [secret.orgId, agentId, secret.id, path, status, count],
    );
  await page.getByRole("link", { name: "Usage ledger" }).click();
  await expect(page.getByTestId("live-indicator")).toHaveText("live");
  await addUses(60, "/v1/messages?n=", 200);
  const uses = page.getByTestId("secret-use");
  await page
    .getByRole("form", { name: "Filter the ledger" })
    .getByLabel("Secret")
    .selectOption({ label: "LEDGER_KEY" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(uses).toHaveCount(50);
  await expect(uses.first()).toContainText("ledger-probe");
  await expect(uses.first()).toContainText("/v1/messages?n=60");
  await page.getByRole("button", { name: "Load older" }).click();
  await expect(uses).toHaveCount(60);
  await expect(page.getByText("That is the oldest use.")).toBeVisible();
  // A new use arrives on its own, on top, and the older rows stay.
  await addUses(1, "/v1/denied?n=", 401);
  await expect(uses).toHaveCount(61);
  await expect(uses.first()).toContainText("/v1/denied?n=1");
  await expect(uses.first()).toContainText("401");
  await snapshot(page, testInfo, "secret-usage-rows");
  await axe(page, "ledger with rows");
  // Filters are a link; a host nobody called shows nothing.
  const filters = page.getByRole("form", { name: "Filter the ledger" });
  await filters.getByLabel("Host").fill("example.org");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/host=example\.org/);
  await expect(page.getByText("No uses match these filters.")).toBeVisible();
  await filters.getByLabel("Agent").selectOption({ label: "ledger-probe" });
  await filters.getByLabel("Host").fill("api.anthropic.com");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(uses).toHaveCount(50);

  // The agent's tab: the gateway's decisions, pushed as they are made, and its last 20 uses.
  await page.goto(`${agentPath}?tab=network`);
  await expect(page.getByText("No requests yet.")).toBeVisible();
  await sql(
    `INSERT INTO "EgressDecision" ("orgId", "agentId", at, allowed, host, port, method, path, reason, status)
     VALUES ($1, $2, now(), true, 'api.anthropic.com', 443, 'POST', '/v1/messages', 'allowed by rule 1', 200),
            ($1, $2, now(), false, 'evil.example', 443, '', '', 'no rule allows evil.example:443', NULL)`,
    [secret.orgId, agentId],
  );
  const decisions = page.getByTestId("egress-decision");
  await expect(decisions).toHaveCount(2);
  await expect(decisions.first()).toContainText("denied");
  await expect(decisions.first()).toContainText("evil.example:443");
  await expect(decisions.first()).toContainText("no rule allows evil.example:443");
  await expect(decisions.nth(1)).toContainText("allowed");
  await expect(decisions.nth(1)).toContainText("200");
  await expect(page.getByTestId("secret-use")).toHaveCount(20);
  await snapshot(page, testInfo, "agent-network-traffic");
  await axe(page, "agent tab with decisions and uses");
  await page.getByRole("link", { name: "All of ledger-probe's secret uses" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/secrets/usage\\?agent=`));
  await expect(uses).toHaveCount(50);

  // Clean up: the agent takes its uses and decisions with it.
  await sections.getByRole("link", { name: "Secrets" }).click();
  await page.getByRole("button", { name: "Delete LEDGER_KEY" }).click();
  await page.getByRole("dialog").getByLabel("Type LEDGER_KEY to confirm").fill("LEDGER_KEY");
  await page.getByRole("dialog").getByRole("button", { name: "Delete secret" }).click();
  await expect(page.getByTestId("secret-row").filter({ hasText: "LEDGER_KEY" })).toHaveCount(0);
  await page.goto(agentPath);
  await page.getByLabel("Type ledger-probe to confirm").fill("ledger-probe");
  await page.getByRole("button", { name: "Delete agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("Agents");
});

test("members and viewers see secrets and egress read-only; members may still quarantine", async ({
  page,
}) => {
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const base = new URL(page.url()).pathname.replace(/\/$/, "");
  const sections = page.getByRole("navigation", { name: "Sections" });
  await page.goto(`${base}/secrets`);
  const create = page.getByRole("form", { name: "Add a secret" });
  await create.getByLabel("Name").fill("READ_ONLY_KEY");
  await create.getByLabel("Value").fill("read-only-value");
  await create.getByRole("button", { name: "Add secret" }).click();
  const row = page.getByTestId("secret-row").filter({ hasText: "READ_ONLY_KEY" });
  await expect(row).toBeVisible();

  const setRole = (role: string) =>
    sql(
      `UPDATE "Membership" SET role = $1::"Role"
       WHERE "userId" = (SELECT id FROM "User" WHERE email = 'demo@corral.dev')
         AND "orgId" = (SELECT id FROM "Organization" WHERE slug = 'acme')`,
      [role],
    );
  try {
    await setRole("MEMBER");
    await page.reload();
    await expect(row).toBeVisible();
    await expect(page.getByTestId("secrets-read-only")).toContainText("Your role is member.");
    await expect(page.getByRole("form", { name: "Add a secret" })).toHaveCount(0);
    await expect(page.getByRole("form", { name: "Grant a secret to an agent" })).toHaveCount(0);
    await expect(row.getByRole("button")).toHaveCount(0);

    await sections.getByRole("link", { name: "Agents" }).click();
    await page.getByRole("link", { name: "hello-agent" }).click();
    await page.getByRole("tab", { name: "Network & secrets" }).click();
    const policy = page.getByRole("form", { name: "Egress policy" });
    await expect(policy.getByText("Only owners and admins can change the policy.")).toBeVisible();
    await expect(policy.getByRole("radio", { name: /Custom/ })).toBeDisabled();
    await expect(policy.getByRole("button", { name: "Save policy" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Quarantine" })).toBeEnabled();

    await sections.getByRole("link", { name: "Settings" }).click();
    const ceiling = page.getByRole("form", { name: "Egress ceiling" });
    await expect(ceiling.getByLabel("Limit every agent to these hosts")).toBeDisabled();
    await expect(ceiling.getByText("Only owners and admins can change the ceiling.")).toBeVisible();

    await setRole("VIEWER");
    await page.goBack();
    await page.reload();
    await expect(page.getByRole("tab", { name: "Network & secrets" })).toHaveAttribute(
      "aria-selected",
      "true",
    );
    await expect(page.getByText("Viewers cannot quarantine agents.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Quarantine" })).toHaveCount(0);
  } finally {
    await setRole("OWNER");
  }

  await page.goto(`${base}/secrets`);
  await row.getByRole("button", { name: "Delete READ_ONLY_KEY" }).click();
  await page.getByRole("dialog").getByLabel("Type READ_ONLY_KEY to confirm").fill("READ_ONLY_KEY");
  await page.getByRole("dialog").getByRole("button", { name: "Delete secret" }).click();
  await expect(row).toHaveCount(0);
});

test("real traffic through the gateway fills the ledger and shows a denial live; quarantine cuts the agent off and release restores it", async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  const base = new URL(page.url()).pathname.replace(/\/$/, "");
  const sections = page.getByRole("navigation", { name: "Sections" });

  // An agent that calls the loopback API (e2e/upstream.ts) by name, which its policy will
  // allow, and by address, which it will not: every 2 s, through its gateway.
  await sections.getByRole("link", { name: "Agents" }).click();
  const agentForm = page.getByRole("form", { name: "Create an agent" });
  await agentForm.getByLabel("Name", { exact: true }).fill("traffic-probe");
  await agentForm
    .getByLabel("Command")
    .fill(
      `sh -c "while true; do wget -q -O - http://localhost:${upstreamPort}/v1/ping; wget -q -O - http://127.0.0.1:${upstreamPort}/v1/blocked; sleep 2; done"`,
    );
  await agentForm.getByLabel("Start it now").uncheck();
  await agentForm.getByRole("button", { name: "Create agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("traffic-probe");
  const agentPath = new URL(page.url()).pathname;

  // Its key: sealed, granted for localhost only.
  await page.goto(`${base}/secrets`);
  const create = page.getByRole("form", { name: "Add a secret" });
  await create.getByLabel("Name").fill("PROBE_KEY");
  await create.getByLabel("Value").fill(`probe-${Date.now().toString(36)}-value`);
  await create.getByRole("button", { name: "Add secret" }).click();
  const row = page.getByTestId("secret-row").filter({ hasText: "PROBE_KEY" });
  await row.getByRole("button", { name: "Grant PROBE_KEY" }).click();
  const grant = page.getByRole("form", { name: "Grant a secret to an agent" });
  await grant.getByLabel("Agent").selectOption({ label: "traffic-probe" });
  await grant.getByLabel("Hosts").fill("localhost");
  await grant.getByRole("button", { name: "Grant secret" }).click();
  await expect(page.getByText("PROBE_KEY granted to traffic-probe")).toBeVisible();

  // Model provider only: the hosts of its grants. Then it runs.
  await page.goto(`${agentPath}?tab=network`);
  const policy = page.getByRole("form", { name: "Egress policy" });
  await policy.getByRole("radio", { name: /Model provider only/ }).check();
  await policy.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByText("Policy saved")).toBeVisible();
  await page.getByRole("button", { name: "Start", exact: true }).click();

  // Live: an allowed call that carried the key, and a denial naming why.
  const decisions = page.getByTestId("egress-decision");
  await expect(decisions.filter({ hasText: "127.0.0.1" }).first()).toContainText("denied", {
    timeout: 120_000,
  });
  await expect(decisions.filter({ hasText: "127.0.0.1" }).first()).toContainText(
    "model-provider preset allows only the hosts of the agent's grants",
  );
  await expect(decisions.filter({ hasText: "localhost" }).first()).toContainText("allowed");
  await expect(page.getByTestId("secret-use").first()).toContainText("PROBE_KEY");
  await snapshot(page, testInfo, "agent-network-live");

  // The ledger fills by itself.
  await page.goto(`${base}/secrets/usage`);
  const uses = page.getByTestId("secret-use").filter({ hasText: "traffic-probe" });
  await expect(uses.first()).toContainText("/v1/ping");
  await expect(uses.first()).toContainText("localhost");
  const before = await uses.count();
  await expect.poll(() => uses.count(), { timeout: 15_000 }).toBeGreaterThan(before);

  // Quarantine: the agent stops and its calls are refused; release lets it run again.
  await page.goto(`${agentPath}?tab=network`);
  await page.getByRole("button", { name: "Quarantine" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Quarantine" }).click();
  await expect(page.getByTestId("agent-quarantined")).toHaveText("quarantined");
  await expect(page.getByTestId("agent-state")).toHaveText("stopped", { timeout: 60_000 });
  await page.getByRole("button", { name: "Release" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Release" }).click();
  await expect(page.getByTestId("agent-quarantined")).toHaveCount(0);
  await expect(page.getByTestId("agent-state")).toHaveText("running", { timeout: 60_000 });
  const events = await sql(
    `SELECT action FROM "AuditEvent" WHERE "targetName" IN ('traffic-probe', '127.0.0.1') ORDER BY seq`,
  );
  const actions = events.map((e: { action: string }) => e.action);
  expect(actions).toEqual(
    expect.arrayContaining(["egress.denied", "agent.quarantined", "agent.released"]),
  );

  // Clean up.
  await page.goto(`${base}/secrets`);
  await row.getByRole("button", { name: "Delete PROBE_KEY" }).click();
  await page.getByRole("dialog").getByLabel("Type PROBE_KEY to confirm").fill("PROBE_KEY");
  await page.getByRole("dialog").getByRole("button", { name: "Delete secret" }).click();
  await expect(row).toHaveCount(0);
  await page.goto(agentPath);
  await page.getByLabel("Type traffic-probe to confirm").fill("traffic-probe");
  await page.getByRole("button", { name: "Delete agent" }).click();
  await expect(page.getByTestId("page-title")).toHaveText("Agents");
});
