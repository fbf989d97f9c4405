// The path of a request as its log line shows it: no query (sign-in links and exports carry
// tokens and filters there), and an invitation's token masked.
export function loggedPath(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0] || "/";
  return path.replace(/^\/invite\/[^/]+/, "/invite/…").slice(0, 512);
}
