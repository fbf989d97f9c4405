// A request's kind of route, as a metrics label: few values whatever the URL, so a scan of
// random paths cannot blow up the number of series.
const apiKinds: [prefix: string, kind: string][] = [
  ["/api/trpc/", "trpc"],
  ["/api/auth/", "auth"],
  ["/api/worker/v1/tasks/", "task-contract"],
  ["/api/worker/", "worker-api"],
  ["/api/health", "health"],
  ["/api/ready", "health"],
];

export function routeKind(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0] ?? "/";
  if (path.startsWith("/_next/")) return "static";
  if (/^\/api\/orgs\/[^/]+\/audit\/export/.test(path)) return "audit-export";
  for (const [prefix, kind] of apiKinds) if (path.startsWith(prefix)) return kind;
  if (path.startsWith("/api/")) return "api-other";
  return "page";
}
