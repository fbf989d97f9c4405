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
  /** Whether the sandbox is a microVM or a container (unless an operator locked it). */
  "org.isolation": ["OWNER"],
  "member.read": all,
  "member.invite": admins,
  "member.manage": admins,
  "audit.read": admins,
  "audit.export": admins,
  /** Retention and webhook sinks. */
  "audit.configure": admins,
  "agent.read": all,
  /** Create, change, start, stop and delete agents. */
  "agent.manage": ["OWNER", "ADMIN", "MEMBER"],
  "api_key.manage": all,
  "api_key.revoke_any": admins,
  /** Names, grants and last use of secrets; never their values. */
  "secret.read": all,
  /** Create, rotate and delete secrets; grant them to agents. */
  "secret.manage": admins,
  /** Agents' egress policies, the organisation's ceiling, and releasing a quarantine. */
  "egress.manage": admins,
  /** Tasks, transcripts, usage and schedules. */
  "task.read": all,
  /** Give agents tasks, cancel them, and manage schedules. */
  "task.manage": ["OWNER", "ADMIN", "MEMBER"],
  /** The price table used to estimate model cost. */
  "billing.manage": admins,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissionMatrix;

export const permissions = Object.keys(permissionMatrix) as [Permission, ...Permission[]];

export function can(role: Role, permission: Permission): boolean {
  return (permissionMatrix[permission] as readonly Role[]).includes(role);
}

/** 0 for OWNER, growing as roles get weaker. */
export function roleRank(role: Role): number {
  return roles.indexOf(role);
}

/** Nobody hands out a role above their own. */
export function canGrant(actorRole: Role, role: Role): boolean {
  return roleRank(role) >= roleRank(actorRole);
}
