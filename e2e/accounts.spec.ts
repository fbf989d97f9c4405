import { expect, test } from "@playwright/test";
import { linkFromInbox, snapshot } from "./helpers.ts";

const run = Date.now().toString(36);
const owner = {
  name: "Olivia Owner",
  email: `olivia-${run}@example.test`,
  password: "correct horse battery staple",
};
const teammate = {
  name: "Theo Teammate",
  email: `theo-${run}@example.test`,
  password: "a different long passphrase",
};
const revokedInvitee = `rita-${run}@example.test`;
const orgName = `Orbit Labs ${run}`;

test("an owner builds a team: sign-up, verification, organisation, invitations, roles, revocation", async ({
  browser,
}, testInfo) => {
  // ── The owner signs up and confirms their email from the captured mail.
  const ownerContext = await browser.newContext();
  const ownerPage = await ownerContext.newPage();
  await ownerPage.goto("/sign-up");
  await ownerPage.getByLabel("Your name").fill(owner.name);
  await ownerPage.getByLabel("Work email").fill(owner.email);
  await ownerPage.getByLabel("Password").fill("password123");
  await ownerPage.getByLabel("Password").blur();
  await expect(ownerPage.getByText("Use at least 12 characters")).toBeVisible();
  await ownerPage.getByLabel("Password").fill(owner.password);
  await snapshot(ownerPage, testInfo, "sign-up");
  await ownerPage.getByRole("button", { name: "Create account" }).click();
  await expect(ownerPage).toHaveURL(/\/organizations\/new$/);

  await ownerPage.goto(await linkFromInbox(owner.email, "/verify-email?token="));
  await expect(ownerPage.getByTestId("verify-result")).toHaveText(`${owner.email} is confirmed.`);
  await snapshot(ownerPage, testInfo, "verify-email");

  // ── Creates an organisation; the address is suggested from the name.
  await ownerPage.goto("/organizations/new");
  await ownerPage.getByLabel("Organisation name").fill(orgName);
  const slug = `orbit-labs-${run}`;
  await expect(ownerPage.getByLabel("Address")).toHaveValue(slug);
  await snapshot(ownerPage, testInfo, "new-organisation");
  await ownerPage.getByRole("button", { name: "Create organisation" }).click();
  await expect(ownerPage).toHaveURL(new RegExp(`/o/${slug}$`));
  await expect(ownerPage.getByTestId("page-title")).toHaveText(orgName);

  // ── Invites a teammate as member, and someone else whose invitation will be revoked.
  await ownerPage
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Members" })
    .click();
  await expect(ownerPage.getByTestId("page-title")).toHaveText("Members");
  const inviteForm = ownerPage.getByRole("form", { name: "Invite a teammate" });
  for (const email of [teammate.email, revokedInvitee]) {
    await inviteForm.getByLabel("Email address").fill(email);
    await inviteForm.getByLabel("Role").selectOption("MEMBER");
    await inviteForm.getByRole("button", { name: "Send invitation" }).click();
    await expect(ownerPage.getByText(`Invitation sent to ${email}.`)).toBeVisible();
  }
  await expect(ownerPage.getByTestId("pending-invitation")).toHaveCount(2);
  await inviteForm.getByLabel("Email address").fill(teammate.email);
  await inviteForm.getByRole("button", { name: "Send invitation" }).click();
  await expect(
    inviteForm.getByText(`${teammate.email} already has a pending invitation. Resend it instead.`),
  ).toBeVisible();
  await snapshot(ownerPage, testInfo, "members-owner");

  // ── The teammate opens the link from their email, signs up, confirms, and joins.
  const teammateContext = await browser.newContext();
  const page = await teammateContext.newPage();
  const invitation = await linkFromInbox(teammate.email, "/invite/");
  await page.goto(invitation);
  await expect(page.getByTestId("invite-summary")).toContainText(`to join ${orgName} as member`);
  await snapshot(page, testInfo, "invitation-signed-out");
  await page.getByRole("link", { name: "Create an account to accept" }).click();
  await expect(page.getByLabel("Work email")).toHaveValue(teammate.email);
  await page.getByLabel("Your name").fill(teammate.name);
  await page.getByLabel("Password").fill(teammate.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("verify-first")).toBeVisible();
  await snapshot(page, testInfo, "invitation-verify-first");

  await page.goto(await linkFromInbox(teammate.email, "/verify-email?token="));
  await expect(page.getByTestId("verify-result")).toContainText("is confirmed");
  await page.goto(invitation);
  await snapshot(page, testInfo, "invitation-accept");
  await page.getByRole("button", { name: `Join ${orgName}` }).click();
  await expect(page).toHaveURL(new RegExp(`/o/${slug}$`));
  await expect(page.getByTestId("page-title")).toHaveText(orgName);
  await expect(page.getByText("Your role").locator("..")).toContainText("member");

  // ── The teammate is refused an admin action in the UI and in the API.
  await page
    .getByRole("navigation", { name: "Sections" })
    .getByRole("link", { name: "Members" })
    .click();
  await expect(page.getByTestId("invite-not-allowed")).toHaveText(
    "Only owners and admins can invite people. Your role is member.",
  );
  await expect(page.getByRole("button", { name: "Revoke" })).toHaveCount(0);
  await snapshot(page, testInfo, "members-teammate");
  const refused = await page.request.post("/api/trpc/invitations.create", {
    data: { json: { orgSlug: slug, email: `sneaky-${run}@example.test`, role: "ADMIN" } },
  });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).error.json.message).toBe(
    "Your role (member) does not allow member.invite.",
  );

  // ── The owner revokes the other invitation; its link then says so.
  await ownerPage.reload();
  const pendingRita = ownerPage
    .getByTestId("pending-invitation")
    .filter({ hasText: revokedInvitee });
  await pendingRita.getByRole("button", { name: "Revoke" }).click();
  await expect(pendingRita).toHaveCount(0);
  await expect(ownerPage.getByRole("cell", { name: teammate.name })).toBeVisible();

  const ritaPage = await (await browser.newContext()).newPage();
  await ritaPage.goto(await linkFromInbox(revokedInvitee, "/invite/"));
  await expect(ritaPage.getByTestId("invite-problem")).toHaveText(
    "This invitation was withdrawn. Ask an administrator of the organisation for a new one.",
  );
  await snapshot(ritaPage, testInfo, "invitation-revoked");

  // The teammate's own link is spent.
  await page.goto(invitation);
  await expect(page.getByTestId("invite-problem")).toHaveText(
    "This invitation has already been used.",
  );
});
