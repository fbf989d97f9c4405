// Reading what the development mail sink captured, as an invitee would read their inbox.
import { expect, inject } from "vitest";
import type { CapturedMail } from "../infra/dev/mail-sink.ts";

export async function inbox(
  email: string,
  sinkUrl = inject("mailSinkUrl"),
): Promise<CapturedMail[]> {
  const res = await fetch(`${sinkUrl}/messages`);
  const all = (await res.json()) as CapturedMail[];
  return all.filter((m) => m.to.includes(email.toLowerCase()));
}

/** The newest mail to `email`, waiting briefly for it to arrive. */
export async function latestMail(email: string): Promise<CapturedMail> {
  let found: CapturedMail | undefined;
  await expect.poll(async () => (found = (await inbox(email))[0]), { timeout: 5000 }).toBeDefined();
  return found as CapturedMail;
}

/** The token at the end of the first link with `path` in the mail. */
export function tokenFrom(mail: CapturedMail, path: string): string {
  const match = mail.text.match(new RegExp(`${path}[=/]([A-Za-z0-9_-]{43})`));
  if (!match?.[1]) throw new Error(`no ${path} link in mail "${mail.subject}"`);
  return match[1];
}
