// Text PostgreSQL can store: no NUL character (text columns refuse it) and no unpaired
// UTF-16 surrogate (JSON columns refuse it). Checked where input arrives — the tRPC handler,
// the worker API, the export route — so such a value is refused in words, not by the
// database as a 500.

const unpairedSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Where `input` holds text the database cannot store — "name", "hosts.0", "input" for the
 * whole value — or null. Keys count as text. Walked without recursion, so no nesting is too
 * deep for it.
 */
export function unstorableTextIn(input: unknown): string | null {
  const unstorable = (s: string) => s.includes("\u0000") || unpairedSurrogate.test(s);
  const stack: [unknown, string][] = [[input, ""]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [value, at] = item;
    if (typeof value === "string" && unstorable(value)) return at || "input";
    if (value === null || typeof value !== "object") continue;
    for (const [key, inner] of Object.entries(value)) {
      const path = at ? `${at}.${key}` : key;
      if (unstorable(key)) return path;
      stack.push([inner, path]);
    }
  }
  return null;
}

/** The refusal, naming where (clipped: the path is the caller's own text). */
export function unstorableTextMessage(at: string): string {
  return `Text cannot contain the NUL character (\\u0000) or an unpaired surrogate; found in ${at.slice(0, 100)}.`;
}
