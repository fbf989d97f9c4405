// Is this Node.js one that Corral's dependencies support? The answer is package.json's
// "engines.node", the same range npm checks. Plain JavaScript with no dependencies, so that
// `npm run quickstart` can ask before `npm ci`. Run it (`node infra/host/check-node.mjs`) or
// import it first in an entry point: either way it stops the process with one line when the
// version does not fit.
import { readFileSync } from "node:fs";

/** The engines range from package.json. */
export function requiredNodeRange() {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  return pkg.engines.node;
}

const parse = (v) => {
  const [major = 0, minor = 0, patch = 0] = v.replace(/^v/, "").split(".").map(Number);
  return [major, minor, patch];
};
const compare = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One comparator: >=X.Y.Z, >X, <X, <=X, ^X.Y, =X or a bare version. */
function satisfiesOne(version, comparator) {
  const m = /^(>=|<=|>|<|\^|=)?\s*v?(\d+(?:\.\d+){0,2})$/.exec(comparator);
  if (!m) throw new Error(`unsupported engines comparator "${comparator}" in package.json`);
  const [, op = "=", bound] = m;
  const v = parse(version);
  const b = parse(bound);
  const c = compare(v, b);
  switch (op) {
    case ">=":
      return c >= 0;
    case ">":
      return c > 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case "^":
      return v[0] === b[0] && c >= 0;
    default:
      return c === 0;
  }
}

/** Whether `version` satisfies a range such as "^20.19 || ^22.12 || >=24". */
export function satisfies(version, range) {
  return range
    .split("||")
    .map((alternative) => alternative.trim().split(/\s+/).filter(Boolean))
    .some((comparators) => comparators.every((c) => satisfiesOne(version, c)));
}

/** Null when this Node.js fits, otherwise the line to show. */
export function nodeVersionProblem(version = process.versions.node, range = requiredNodeRange()) {
  if (satisfies(version, range)) return null;
  return `Node.js ${version} is not supported: Corral and its dependencies need Node.js ${range} (package.json "engines"); install a matching Node.js and retry`;
}

const problem = nodeVersionProblem();
if (problem) {
  console.error(`corral: ${problem}`);
  process.exit(1);
}
