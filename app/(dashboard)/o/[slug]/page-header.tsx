import Link from "next/link";

/** Breadcrumb and title at the top of every organisation page. */
export function PageHeader(props: {
  org: string;
  title: string;
  /** The page this one sits under, e.g. Agents for one agent. */
  parent?: { label: string; href: string };
}) {
  const { org, title, parent } = props;
  return (
    <header className="space-y-1">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-600 dark:text-zinc-400">
        <span>{org}</span> /{" "}
        {parent && (
          <>
            <Link href={parent.href} className="underline-offset-2 hover:underline">
              {parent.label}
            </Link>{" "}
            /{" "}
          </>
        )}
        <span aria-current="page">{title}</span>
      </nav>
      <h1 className="text-2xl font-bold tracking-tight" data-testid="page-title">
        {title}
      </h1>
    </header>
  );
}
