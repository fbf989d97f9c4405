// Where to go after signing in or up: only a path on this site. The value is parsed the way a
// browser would (tabs and newlines dropped, backslashes read as slashes), so `/\t/evil.example`
// or `/\evil.example` cannot become a link to another site.
const base = "http://corral.invalid";

export function safeCallback(value: FormDataEntryValue | string | null | undefined): string {
  const text = typeof value === "string" ? value : "";
  if (!text.startsWith("/")) return "/";
  try {
    const url = new URL(text, base);
    if (url.origin !== base) return "/";
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
