"use client";
// On a phone the navigation folds away behind a Menu button, so the page comes first; from
// a tablet up it is always shown beside the page.
import { usePathname } from "next/navigation";
import { type ReactNode, useEffect, useState } from "react";

export function CollapsibleNav({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  // Following a link closes the menu.
  // biome-ignore lint/correctness/useExhaustiveDependencies: close on every navigation
  useEffect(() => setOpen(false), [pathname]);
  return (
    <>
      <button
        type="button"
        aria-expanded={open}
        aria-controls="dashboard-nav"
        onClick={() => setOpen((o) => !o)}
        className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm md:hidden dark:border-zinc-700"
      >
        {open ? "Close menu" : "Menu"}
      </button>
      <div
        id="dashboard-nav"
        className={`${open ? "flex" : "hidden"} flex-1 flex-col gap-6 md:flex`}
      >
        {children}
      </div>
    </>
  );
}
