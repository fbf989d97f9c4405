// The words of every email Corral sends, in one place.
import type { Mail } from "./mailer.ts";

export function verificationMail(to: string, link: string): Mail {
  return {
    to,
    subject: "Confirm your email for Corral",
    text: [
      "Confirm that this is your email address by opening the link below:",
      "",
      link,
      "",
      "If you did not sign up for Corral, ignore this email.",
    ].join("\n"),
  };
}

export function invitationMail(args: {
  to: string;
  orgName: string;
  inviterName: string;
  role: string;
  link: string;
  expiresAt: Date;
}): Mail {
  return {
    to: args.to,
    subject: `${args.inviterName} invited you to ${args.orgName} on Corral`,
    text: [
      `${args.inviterName} invited you to join ${args.orgName} on Corral as ${args.role.toLowerCase()}.`,
      "",
      "Accept the invitation:",
      args.link,
      "",
      `The link works once and expires on ${args.expiresAt.toUTCString()}.`,
      "It only works for an account with this email address.",
    ].join("\n"),
  };
}

export function passwordResetMail(to: string, link: string): Mail {
  return {
    to,
    subject: "Reset your Corral password",
    text: [
      "Someone (hopefully you) asked to reset the password of your Corral account.",
      "Choose a new password here; the link works once, for one hour:",
      "",
      link,
      "",
      "If you did not ask for this, ignore this email: your password stays as it is.",
    ].join("\n"),
  };
}

export function magicLinkMail(to: string, link: string): Mail {
  return {
    to,
    subject: "Your Corral sign-in link",
    text: [
      "Open this link to sign in to Corral. It works once, for the next 24 hours:",
      "",
      link,
      "",
      "If you did not ask to sign in, ignore this email.",
    ].join("\n"),
  };
}
