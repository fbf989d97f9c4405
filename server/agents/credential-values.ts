// Values that look like credentials. Secrets belong in Secrets, where the gateway adds them to
// outgoing calls; pasted into an agent's environment they would sit inside the sandbox.

/** Prefixes that well-known providers put on their keys and tokens. */
const knownPrefixes: [RegExp, string][] = [
  [/^sk-ant-/, "an Anthropic key"],
  [/^sk-(proj-|live_|test_)?[A-Za-z0-9_-]{16,}/, "an API key (sk-…)"],
  [/^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}/, "a GitHub token"],
  [/^github_pat_/, "a GitHub token"],
  [/^glpat-/, "a GitLab token"],
  [/^xox[abposr]-/, "a Slack token"],
  [/^(AKIA|ASIA)[A-Z0-9]{12,}/, "an AWS access key"],
  [/^AIza[0-9A-Za-z_-]{20,}/, "a Google API key"],
  [/^(rk|pk|sk)_(live|test)_/, "a Stripe key"],
  [/^hf_[A-Za-z0-9]{20,}/, "a Hugging Face token"],
  [/^npm_[A-Za-z0-9]{20,}/, "an npm token"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/^eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./, "a signed token (JWT)"],
];

/** Bits of entropy per character, from the character frequencies. */
function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Why `value` looks like a credential, or null. Long unbroken strings of letters and digits
 * with high entropy (random keys) count too; words, paths and URLs do not.
 */
export function credentialLooking(value: string): string | null {
  const text = value.trim();
  for (const [pattern, what] of knownPrefixes) if (pattern.test(text)) return what;
  // URLs with a password in them: https://user:pass@host
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i.test(text)) return "a URL with a password";
  const token = /^[A-Za-z0-9+/_=-]{32,}$/.test(text);
  const mixed = /[0-9]/.test(text) && /[a-z]/.test(text) && /[A-Z]/.test(text);
  if (token && mixed && entropy(text) >= 4.0) return "a long random string (a key?)";
  if (token && /^[0-9a-f]{40,}$/i.test(text) && entropy(text) >= 3.5) return "a long hex key";
  return null;
}
