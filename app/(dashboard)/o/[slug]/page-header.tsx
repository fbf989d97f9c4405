/** Breadcrumb and title at the top of every organisation page. */
export function PageHeader({ org, title }: { org: string; title: string }) {
  return (
    <header className="space-y-1">
      <nav aria-label="Breadcrumb" className="text-sm text-zinc-600 dark:text-zinc-400">
        <span>{org}</span> / <span>{title}</span>
      </nav>
      <h1 className="text-2xl font-bold tracking-tight" data-testid="page-title">
        {title}
      </h1>
    </header>
  );
}
