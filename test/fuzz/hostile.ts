// What an attacker (or a broken client) sends instead of what a schema asks for: huge and
// strange strings, wrong types, deep nesting, prototype keys, numbers at the edges, and
// values that only superjson can carry (Date, BigInt, Map, Set, undefined, NaN).
import fc from "fast-check";
import { isPlainObject } from "./zod-arbitrary.ts";

const nested = (depth: number, leaf: unknown, wrap: (inner: unknown) => unknown) => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
};

/** Strings a text column, a regex or a log line may choke on. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\ud800", // a lone surrogate: not valid UTF-16, not encodable as UTF-8
    "\uffff\ufffe",
    "e\u0301\u0301\u0301", // combining marks
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "\u202etxt.exe", // right-to-left override
    "%00%0d%0a",
    '\'; drop table "User"; --',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: template injection, on purpose
    "${{7*7}}{{7*7}}",
    "__proto__",
    "../../../../etc/passwd",
    "x".repeat(100_000),
    "é".repeat(70_000),
    "\n".repeat(5_000),
    "9".repeat(400),
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", minLength: 200, maxLength: 600 }),
);

/** Numbers at the edges, including the ones JSON cannot carry but superjson can. */
export const hostileNumber: fc.Arbitrary<number> = fc.constantFrom(
  0,
  -0,
  -1,
  0.5,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 31,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MIN_VALUE,
);

/** Any value of the wrong kind, at any place in an input. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      undefined,
      true,
      false,
      [],
      {},
      [null],
      123n,
      -(2n ** 70n),
      new Date(Number.NaN),
      new Date(8.64e15),
      new Map([["a", 1]]),
      new Set([1, 2]),
      /.*/,
      JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'),
      Array.from({ length: 20_000 }, (_, i) => i),
      Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
      nested(2_000, "deep", (inner) => [inner]),
      nested(2_000, "deep", (inner) => ({ a: inner })),
    ),
  },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3, withBigInt: true, withDate: true }) },
);

/** Every place in a value: [] is the value itself, ["a", 0] its a's first element. */
function pathsOf(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (at.length > 6) return out;
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.slice(0, 8).map((v, i) => [i, v])
    : isPlainObject(value)
      ? Object.entries(value)
      : [];
  for (const [key, child] of children) pathsOf(child, [...at, key], out);
  return out;
}

function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  if (Array.isArray(value)) {
    const copy = [...value];
    copy[head as number] = replaceAt(copy[head as number], rest, replacement);
    return copy;
  }
  if (isPlainObject(value))
    return { ...value, [head]: replaceAt(value[head as string], rest, replacement) };
  return value;
}

/**
 * A valid-shaped value with one place spoiled: replaced by a hostile value, removed, or
 * joined by an unexpected key.
 */
export function spoiled(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc
    .tuple(valid, hostileValue, fc.nat(), fc.constantFrom("replace", "drop", "extra"))
    .map(([value, hostile, pick, how]) => {
      const paths = pathsOf(value);
      const path = paths[pick % paths.length] ?? [];
      if (how === "replace") return replaceAt(value, path, hostile);
      if (how === "drop" && path.length > 0) return replaceAt(value, path, undefined);
      if (isPlainObject(value)) return { ...value, [`extra${pick % 3}`]: hostile };
      return replaceAt(value, path, hostile);
    });
}

/** What a fuzzed input is made of: mostly valid-shaped, often spoiled, sometimes garbage. */
export function fuzzedInput(valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 4, arbitrary: spoiled(valid) },
    { weight: 1, arbitrary: hostileValue },
  );
}
