import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { verifyDelivery } from "../server/audit/webhooks/signature.ts";
import { signIn, snapshot } from "./helpers.ts";

test("an owner sets retention and adds a webhook that receives signed events", async ({
  page,
}, testInfo) => {
  // The SIEM on the other end: records each delivery's body and signature.
  const deliveries: { body: string; signature: string }[] = [];
  const endpoint = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      deliveries.push({ body, signature: String(req.headers["corral-signature"]) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/siem`;

  try {
    await signIn(page);
    await page
      .getByRole("navigation", { name: "Sections" })
      .getByRole("link", { name: "Audit log" })
      .click();
    await page.getByRole("link", { name: "Retention & webhooks" }).click();
    await expect(page.getByTestId("page-title")).toHaveText("Audit settings");

    const retention = page.getByRole("form", { name: "Audit retention" });
    await retention.getByRole("radio", { name: "For a number of days" }).check();
    const days = retention.getByLabel("Days to keep audit events");
    await days.fill("3");
    await expect(retention.getByText("Keep at least 7 days")).toBeVisible();
    await days.fill("90");
    await retention.getByRole("button", { name: "Save retention" }).click();
    await expect(retention.getByText("Retention saved.")).toBeVisible();

    const add = page.getByRole("form", { name: "Add a webhook" });
    await add.getByLabel("Endpoint URL").fill("not a url");
    await add.getByLabel("Description (optional)").focus();
    await expect(
      add.getByText("Enter the endpoint's full URL, starting with https://"),
    ).toBeVisible();
    await add.getByLabel("Endpoint URL").fill(url);
    await add.getByLabel("Description (optional)").fill("SIEM");
    await add.getByRole("button", { name: "Add webhook" }).click();
    const secret = (await page.getByTestId("new-webhook-secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);

    // The job runner started by `npm run up` delivers the webhook's own creation event.
    const card = page.getByRole("article", { name: `Webhook ${url}` });
    await expect(card.getByTestId("webhook-delivery").first()).toContainText(
      "Delivered · HTTP 204",
      {
        timeout: 20_000,
      },
    );
    await expect(card.getByTestId("webhook-health")).toHaveText("Up to date");
    await snapshot(page, testInfo, "audit-settings");

    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) expect(verifyDelivery(secret, d.body, d.signature)).toBe(true);
    const actions = deliveries.flatMap((d) =>
      JSON.parse(d.body).events.map((e: { action: string }) => e.action),
    );
    expect(actions[0]).toBe("audit.webhook_created");

    await card.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this webhook?" });
    await snapshot(page, testInfo, "confirm-dialog");
    await confirm.getByRole("button", { name: "Delete webhook" }).click();
    await expect(card).toBeHidden();
  } finally {
    endpoint.close();
  }
});
