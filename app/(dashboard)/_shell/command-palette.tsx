"use client";
// Ctrl/⌘-K: jump to any page of this organisation, any of its agents, or another
// organisation, from the keyboard.
import { useQuery } from "@tanstack/react-query";
import { Command } from "cmdk";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { visibleSections } from "@/app/lib/sections.ts";
import { useTRPC } from "@/app/lib/trpc.ts";
import type { Role } from "@/server/db/generated/enums.ts";
import type { OrgChoice } from "./sidebar.tsx";

const item =
  "flex cursor-pointer items-center justify-between rounded-md px-3 py-2 text-sm data-[selected=true]:bg-indigo-100 dark:data-[selected=true]:bg-indigo-900";
const group =
  "[&_[cmdk-group-heading]]:px-3 [&_[cmdk-group-heading]]:py-1 [&_[cmdk-group-heading]]:text-xs [&_[cmdk-group-heading]]:font-semibold [&_[cmdk-group-heading]]:uppercase [&_[cmdk-group-heading]]:text-zinc-600 dark:[&_[cmdk-group-heading]]:text-zinc-400";

export function CommandPalette(props: {
  current: OrgChoice;
  orgs: OrgChoice[];
  operator: boolean;
}) {
  const { current, orgs, operator } = props;
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const trpc = useTRPC();
  const agents = useQuery({
    ...trpc.agents.list.queryOptions({ orgSlug: current.slug }),
    enabled: open,
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() === "k" && (e.metaKey || e.ctrlKey)) {
        e.preventDefault();
        setOpen((o) => !o);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const go = (path: string) => {
    setOpen(false);
    router.push(path);
  };
  const base = `/o/${current.slug}`;
  // The same list, and the same permissions, as the sidebar.
  const pages: [string, string][] = visibleSections(current.role as Role, operator).map((s) => [
    s.label,
    `${base}${s.path}`,
  ]);

  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="flex w-full items-center justify-between rounded-md border border-zinc-300 px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-400 dark:hover:bg-zinc-800"
      >
        Jump to…
        <kbd className="rounded border border-zinc-300 px-1 text-xs dark:border-zinc-600">
          Ctrl K
        </kbd>
      </button>
      <Command.Dialog
        open={open}
        onOpenChange={setOpen}
        label="Jump to a page, agent or organisation"
        overlayClassName="fixed inset-0 bg-black/40"
        contentClassName="fixed top-24 left-1/2 w-[min(36rem,92vw)] -translate-x-1/2 rounded-xl border border-zinc-200 bg-white p-2 shadow-xl dark:border-zinc-700 dark:bg-zinc-900"
      >
        <Command.Input
          placeholder="Type a page, an agent or an organisation…"
          className="w-full rounded-md border border-zinc-300 bg-transparent px-3 py-2 text-sm dark:border-zinc-700"
        />
        <Command.List className="mt-2 max-h-80 overflow-y-auto">
          <Command.Empty className="px-3 py-2 text-sm text-zinc-600 dark:text-zinc-400">
            Nothing matches.
          </Command.Empty>
          <Command.Group heading="Pages" className={group}>
            {pages.map(([name, path]) => (
              <Command.Item
                key={path}
                value={`page ${name}`}
                onSelect={() => go(path)}
                className={item}
              >
                {name}
              </Command.Item>
            ))}
          </Command.Group>
          {agents.data && agents.data.agents.length > 0 && (
            <Command.Group heading="Agents" className={group}>
              {agents.data.agents.map((a) => (
                <Command.Item
                  key={a.id}
                  value={`agent ${a.name}`}
                  onSelect={() => go(`${base}/agents/${a.id}`)}
                  className={item}
                >
                  {a.name}
                  <span className="text-xs text-zinc-600 dark:text-zinc-400">
                    {a.observedState.toLowerCase()}
                  </span>
                </Command.Item>
              ))}
            </Command.Group>
          )}
          {orgs.length > 1 && (
            <Command.Group heading="Organisations" className={group}>
              {orgs
                .filter((o) => o.slug !== current.slug)
                .map((o) => (
                  <Command.Item
                    key={o.slug}
                    value={`organisation ${o.name}`}
                    onSelect={() => go(`/o/${o.slug}`)}
                    className={item}
                  >
                    {o.name}
                  </Command.Item>
                ))}
            </Command.Group>
          )}
        </Command.List>
      </Command.Dialog>
    </>
  );
}
