// The one permission matrix. The API (tenantProcedure), the UI and the docs read from it;
// add a permission here before using it anywhere.
import type { Role } from "../db/generated/enums.ts";

export const roles = ["OWNER", "ADMIN", "MEMBER", "VIEWER"] as const satisfies readonly Role[];

const all: readonly Role[] = roles;
const admins: readonly Role[] = ["OWNER", "ADMIN"];

export const permissionMatrix = {
  "org.read": all,
  "org.update": admins,
  "org.delete": ["OWNER"],
  "member.read": all,
  "member.invite": admins,
  "audit.read": admins,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissionMatrix;

export function can(role: Role, permission: Permission): boolean {
  return (permissionMatrix[permission] as readonly Role[]).includes(role);
}
