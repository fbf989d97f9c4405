import {
  Bot,
  KeyRound,
  LayoutDashboard,
  ListChecks,
  LockKeyhole,
  ScrollText,
  Server,
  Settings,
  Users,
} from "lucide-react";
import Link from "next/link";
import { type Section, type SectionIcon, visibleSections } from "@/app/lib/sections.ts";
import type { SessionUser } from "@/server/auth/sessions.ts";
import type { Role } from "@/server/db/generated/enums.ts";
import { CollapsibleNav } from "./collapsible-nav.tsx";
import { CommandPalette } from "./command-palette.tsx";
import { NavLink } from "./nav-link.tsx";
import { SignOutButton, SignOutEverywhereButton } from "./sign-out-button.tsx";

const icons: Record<SectionIcon, typeof Bot> = {
  overview: LayoutDashboard,
  agents: Bot,
  tasks: ListChecks,
  secrets: LockKeyhole,
  members: Users,
  audit: ScrollText,
  "api-keys": KeyRound,
  settings: Settings,
  fleet: Server,
};

export interface OrgChoice {
  slug: string;
  name: string;
  role: string;
}

export function Sidebar(props: {
  user: SessionUser;
  orgs: OrgChoice[];
  current: OrgChoice;
  operator: boolean;
}) {
  const { user, orgs, current, operator } = props;
  // The same list, and the same permissions, as the command palette.
  const shown = visibleSections(current.role as Role, operator).filter((s) => s.icon);
  const link = (s: Section) => {
    const Icon = icons[s.icon ?? "overview"];
    return (
      <NavLink
        key={s.path}
        href={`/o/${current.slug}${s.path}`}
        exact={s.path === ""}
        icon={<Icon aria-hidden="true" className="size-4 shrink-0" />}
      >
        {s.label}
      </NavLink>
    );
  };
  return (
    <aside className="flex w-full flex-col gap-6 border-b border-zinc-200 bg-white p-4 md:min-h-dvh md:w-64 md:border-r md:border-b-0 dark:border-zinc-800 dark:bg-zinc-900">
      <Link href="/" className="text-lg font-bold tracking-tight">
        Corral
      </Link>

      <CollapsibleNav>
        <CommandPalette current={current} orgs={orgs} operator={operator} />

        <nav aria-label="Organisations" className="space-y-1">
          <p className="px-2 text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
            Organisation
          </p>
          {orgs.map((org) => (
            <NavLink key={org.slug} href={`/o/${org.slug}`} exact={org.slug !== current.slug}>
              {org.name}
            </NavLink>
          ))}
          <Link
            href="/organizations/new"
            className="block rounded-md px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
          >
            + New organisation
          </Link>
        </nav>

        <nav aria-label="Sections" className="space-y-1">
          <p className="px-2 text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
            {current.name}
          </p>
          {shown.filter((s) => !s.operator).map(link)}
        </nav>

        {shown.some((s) => s.operator) && (
          <nav aria-label="Deployment" className="space-y-1">
            <p className="px-2 text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
              Deployment
            </p>
            {shown.filter((s) => s.operator).map(link)}
          </nav>
        )}

        <div className="mt-auto space-y-1 border-t border-zinc-200 pt-4 dark:border-zinc-800">
          <p className="truncate px-2 text-sm font-medium" data-testid="signed-in-user">
            {user.name}
          </p>
          <p className="truncate px-2 text-xs text-zinc-600 dark:text-zinc-400">{user.email}</p>
          <SignOutButton />
          <SignOutEverywhereButton />
        </div>
      </CollapsibleNav>
    </aside>
  );
}
