// Values shaped by a zod 4 schema, as fast-check arbitraries: mostly what the schema accepts,
// so a fuzzed request gets past validation and into the code behind it. Read from the
// schema's own definition (`_zod.def`), so a tightened schema changes what is generated.
// Approximate on purpose: a regex with a length bound may miss the bound, and refinements
// are not solved; whatever misses is refused by the schema, which is tested as well.
import fc from "fast-check";
import type { z } from "zod";

/**
 * Per-key overrides: a key whose value should come from somewhere real (an id, a slug) gets
 * it instead of (or as well as) what its schema would generate.
 */
export type Hints = (key: string, generated: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>;

interface Def {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  [key: string]: unknown;
}
interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  length?: number;
  value?: number | bigint | Date;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

interface Bounds {
  min?: number;
  max?: number;
  format?: string;
  pattern?: RegExp;
}

function boundsOf(def: Def): Bounds {
  const bounds: Bounds = {
    format: def.format as string | undefined,
    pattern: def.pattern as RegExp | undefined,
  };
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === "min_length" || c.check === "min_size") bounds.min = c.minimum;
    if (c.check === "max_length" || c.check === "max_size") bounds.max = c.maximum;
    if (c.check === "length_equals") bounds.min = bounds.max = c.length;
    if (c.check === "string_format") {
      bounds.format ??= c.format;
      bounds.pattern ??= c.pattern;
    }
    if (c.check === "greater_than" && typeof c.value === "number")
      bounds.min = c.inclusive ? c.value : c.value + (def.type === "number" ? 1e-9 : 1);
    if (c.check === "less_than" && typeof c.value === "number")
      bounds.max = c.inclusive ? c.value : c.value - 1e-9;
    if (c.check === "number_format") bounds.format = c.format;
  }
  return bounds;
}

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  const { min = 0, max, format, pattern } = boundsOf(def);
  const fit = (s: string) => (max !== undefined && s.length > max ? s.slice(0, max) : s);
  switch (format) {
    case "email":
      return fc.emailAddress().map(fit);
    case "url":
      return fc.webUrl({ validSchemes: ["https"] }).map(fit);
    case "uuid":
    case "guid":
      return fc.uuid();
    case "datetime":
      return fc
        .date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true })
        .map((d) => d.toISOString());
  }
  // fast-check reads the pattern's source only (no flags such as i).
  if (pattern) return fc.stringMatching(new RegExp(pattern.source)).map(fit);
  const upTo = Math.min(max ?? 80, Math.max(min, 80));
  return fc.string({ minLength: Math.min(min, upTo), maxLength: upTo, unit: "grapheme" });
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  const { min, max, format } = boundsOf(def);
  if (format === "safeint" || format === "int32" || format === "uint32") {
    return fc.integer({
      min: Math.ceil(min ?? Number.MIN_SAFE_INTEGER),
      max: Math.floor(max ?? Number.MAX_SAFE_INTEGER),
    });
  }
  return fc.double({ min: min ?? -1e12, max: max ?? 1e12, noNaN: true, noDefaultInfinity: true });
}

/** An arbitrary of values `schema` should accept (see the header for how closely). */
export function arbitraryFor(
  schema: z.ZodType,
  hints: Hints = (_key, generated) => generated,
): fc.Arbitrary<unknown> {
  return build(schema, hints, 0);
}

function build(schema: unknown, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const inner = (s: unknown) => build(s, hints, depth + 1);
  switch (def.type) {
    case "string":
      return stringArbitrary(def);
    case "number":
      return numberArbitrary(def);
    case "bigint":
      return fc.bigInt();
    case "boolean":
      return fc.boolean();
    case "date":
      return fc.date({ noInvalidDate: true });
    case "null":
      return fc.constant(null);
    case "undefined":
    case "void":
      return fc.constant(undefined);
    case "literal":
      return fc.constantFrom(...(def.values as unknown[]));
    case "enum":
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case "optional":
      return fc.option(inner(def.innerType), { nil: undefined, freq: 4 });
    case "nullable":
      return fc.option(inner(def.innerType), { nil: null, freq: 4 });
    case "default":
    case "prefault":
      return fc.option(inner(def.innerType), { nil: undefined, freq: 3 });
    case "readonly":
    case "catch":
    case "nonoptional":
      return inner(def.innerType);
    case "pipe":
      // A transform's output says nothing of what goes in; the input side does.
      return defOf(def.in).type === "transform" ? inner(def.out) : inner(def.in);
    case "lazy":
      return depth > 4 ? fc.constant(null) : inner((def.getter as () => unknown)());
    case "array": {
      const { min = 0, max } = boundsOf(def);
      const upTo = Math.min(max ?? 4, Math.max(min, 4));
      return fc.array(inner(def.element), { minLength: min, maxLength: upTo });
    }
    case "tuple":
      return fc.tuple(...(def.items as unknown[]).map(inner));
    case "set":
      return fc.array(inner(def.valueType), { maxLength: 4 }).map((a) => new Set(a));
    case "map":
      return fc
        .array(fc.tuple(inner(def.keyType), inner(def.valueType)), { maxLength: 4 })
        .map((entries) => new Map(entries));
    case "record":
      return fc.dictionary(inner(def.keyType) as fc.Arbitrary<string>, inner(def.valueType), {
        maxKeys: 4,
      });
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      const requiredKeys: string[] = [];
      for (const [key, field] of Object.entries(shape)) {
        fields[key] = hints(key, inner(field));
        const optional = ["optional", "default", "prefault"].includes(defOf(field).type);
        if (!optional) requiredKeys.push(key);
      }
      return fc.record(fields, { requiredKeys });
    }
    case "union":
      return fc.oneof(...(def.options as unknown[]).map(inner));
    case "intersection":
      return fc
        .tuple(inner(def.left), inner(def.right))
        .map(([a, b]) => (isPlainObject(a) && isPlainObject(b) ? { ...a, ...b } : b));
    default:
      // any, unknown, custom, transform…: the schema does not say; anything goes.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
