// The one list of an organisation's pages: the sidebar and the command palette both read it,
// so a page hidden from a role in one is hidden in the other. `permission` is the matrix's
// (server/auth/permissions.ts); the pages themselves check it again on the server.
import type { Permission } from "@/server/auth/permissions.ts";
import { can } from "@/server/auth/permissions.ts";
import type { Role } from "@/server/db/generated/enums.ts";

export type SectionIcon =
  | "overview"
  | "agents"
  | "tasks"
  | "secrets"
  | "members"
  | "audit"
  | "api-keys"
  | "settings"
  | "fleet";

export interface Section {
  label: string;
  /** Below /o/<slug>; "" is the overview. */
  path: string;
  /** Shown in the sidebar (with this icon); every section is in the palette. */
  icon?: SectionIcon;
  permission?: Permission;
  /** Deployment pages, for operators only. */
  operator?: boolean;
}

export const sections: Section[] = [
  { label: "Overview", path: "", icon: "overview" },
  { label: "Agents", path: "/agents", icon: "agents", permission: "agent.read" },
  { label: "Tasks", path: "/tasks", icon: "tasks", permission: "task.read" },
  { label: "Secrets", path: "/secrets", icon: "secrets", permission: "secret.read" },
  { label: "Secret usage", path: "/secrets/usage", permission: "secret.read" },
  { label: "Members", path: "/members", icon: "members", permission: "member.read" },
  { label: "Audit log", path: "/audit", icon: "audit", permission: "audit.read" },
  { label: "Retention & webhooks", path: "/audit/settings", permission: "audit.configure" },
  { label: "API keys", path: "/api-keys", icon: "api-keys", permission: "api_key.manage" },
  { label: "Settings", path: "/settings", icon: "settings", permission: "org.read" },
  { label: "Fleet", path: "/fleet", icon: "fleet", operator: true },
];

/** The sections this person may open in an organisation where they have `role`. */
export function visibleSections(role: Role, operator: boolean): Section[] {
  return sections.filter(
    (s) => (s.operator ? operator : true) && (!s.permission || can(role, s.permission)),
  );
}
