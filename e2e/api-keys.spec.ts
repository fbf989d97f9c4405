import { expect, test } from "@playwright/test";
import { signIn, snapshot } from "./helpers.ts";

const membersList = `/api/trpc/members.list?input=${encodeURIComponent(JSON.stringify({ json: { orgSlug: "acme" } }))}`;

test("an API key is shown once, works within its scope as a bearer token, and stops when revoked", async ({
  page,
  playwright,
}, testInfo) => {
  await signIn(page);
  await expect(page.getByTestId("page-title")).toBeVisible();
  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "API keys" })
    .click();
  await expect(page.getByTestId("page-title")).toHaveText("API keys");

  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(form.getByText("Name the key after what uses it")).toBeVisible();
  await expect(form.getByText("Choose at least one permission")).toBeVisible();
  await form.getByLabel("Name").fill("Reporting script");
  await form.getByLabel("member.read").check();
  await form.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-api-key").textContent()) ?? "";
  expect(secret).toMatch(/^crl_/);
  await expect(
    page.getByTestId("api-key-row").filter({ hasText: "Reporting script" }),
  ).toContainText("active");
  await snapshot(page, testInfo, "api-keys");

  // A client with only the key, no cookies.
  const client = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL });
  const auth = { authorization: `Bearer ${secret}` };
  const ok = await client.get(membersList, { headers: auth });
  expect(ok.status()).toBe(200);
  expect((await ok.json()).result.data.json).toEqual([
    expect.objectContaining({ email: "demo@corral.dev", role: "OWNER" }),
  ]);

  const outOfScope = await client.post("/api/trpc/invitations.create", {
    headers: auth,
    data: { json: { orgSlug: "acme", email: "x@example.test", role: "VIEWER" } },
  });
  expect(outOfScope.status()).toBe(403);
  expect((await outOfScope.json()).error.json.message).toBe(
    "This API key is not scoped for member.invite.",
  );

  await page
    .getByTestId("api-key-row")
    .filter({ hasText: "Reporting script" })
    .getByRole("button", { name: "Revoke" })
    .click();
  await page
    .getByRole("dialog", { name: "Revoke “Reporting script”?" })
    .getByRole("button", { name: "Revoke key" })
    .click();
  await expect(
    page.getByTestId("api-key-row").filter({ hasText: "Reporting script" }),
  ).toContainText("revoked");
  const refused = await client.get(membersList, { headers: auth });
  expect(refused.status()).toBe(401);
  await client.dispose();
});
