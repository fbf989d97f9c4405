import { z } from "zod";

const reservedSlugs = new Set(["new", "api", "admin", "settings", "invite", "sign-in", "sign-up"]);

export const orgNameSchema = z
  .string()
  .trim()
  .min(2, "Use at least 2 characters")
  .max(64, "Use at most 64 characters");

/** What every organisation's address looks like (lower-case words joined by hyphens). */
export const orgSlugPattern = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export const orgSlugSchema = z
  .string()
  .trim()
  .min(3, "Use at least 3 characters")
  .max(40, "Use at most 40 characters")
  .regex(orgSlugPattern, "Lower-case letters, digits and single hyphens only")
  .refine((slug) => !reservedSlugs.has(slug), "That address is reserved");

export const emailDomainSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, "Enter a domain such as example.com");

export const createOrganizationSchema = z.object({ name: orgNameSchema, slug: orgSlugSchema });

export const updateOrganizationSchema = z.object({
  name: orgNameSchema,
  /** Empty string from a form clears the restriction. */
  allowedEmailDomain: z.union([z.literal("").transform(() => null), emailDomainSchema]).nullable(),
});

export const deleteOrganizationSchema = z.object({ confirmName: z.string() });

/** A slug suggestion from a name: "Acme Robotics, Inc." → "acme-robotics-inc". */
export function slugFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}
