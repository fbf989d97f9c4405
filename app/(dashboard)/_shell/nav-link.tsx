"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

/** A sidebar link that marks itself as the current page. */
export function NavLink({
  href,
  children,
  icon,
  exact = false,
}: {
  href: string;
  children: ReactNode;
  /** Rendered by the caller (a server component cannot hand over the icon itself). */
  icon?: ReactNode;
  exact?: boolean;
}) {
  const pathname = usePathname();
  const current = exact ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-zinc-100 aria-[current=page]:bg-indigo-50 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700 dark:hover:bg-zinc-800 dark:aria-[current=page]:bg-indigo-950 dark:aria-[current=page]:text-indigo-300"
    >
      {icon}
      {children}
    </Link>
  );
}
