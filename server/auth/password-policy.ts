// Server-side password checks beyond length: refuse passwords found in public leak lists
// (zxcvbn-ts's common-password dictionary, offline) and ones built from the email address.
import { dictionary } from "@zxcvbn-ts/language-common";

let common: Set<string> | undefined;

/** Why `password` is refused, or null when it is acceptable. */
export function passwordProblem(password: string, email: string): string | null {
  common ??= new Set(dictionary["passwords-common"] as string[]);
  const lowered = password.toLowerCase();
  if (common.has(lowered)) {
    return "This password appears in lists of leaked passwords. Choose another.";
  }
  const localPart = email.split("@")[0]?.toLowerCase() ?? "";
  if (localPart.length >= 4 && lowered.includes(localPart)) {
    return "The password must not contain your email address.";
  }
  return null;
}
