// Outgoing mail over SMTP (any server from configuration; the development sink locally).
import nodemailer, { type Transporter } from "nodemailer";
import { describeError } from "../../common/errors.ts";
import { webConfig } from "../core/config.ts";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

const globalForMail = globalThis as unknown as { corralMailer?: Transporter };

function transport(): Transporter {
  // A pooled connection: one SMTP greeting for many messages.
  const url = new URL(webConfig().CORRAL_SMTP_URL);
  url.searchParams.set("pool", "true");
  globalForMail.corralMailer ??= nodemailer.createTransport(url.toString());
  return globalForMail.corralMailer;
}

export class MailError extends Error {
  override name = "MailError";
}

export async function sendMail(mail: Mail): Promise<void> {
  try {
    await transport().sendMail({ from: webConfig().CORRAL_MAIL_FROM, ...mail });
  } catch (error) {
    throw new MailError(`the email to ${mail.to} could not be sent (${describeError(error)})`);
  }
}
