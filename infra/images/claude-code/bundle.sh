#!/usr/bin/env bash
# Bundles the Claude Code adapter (src/main.ts, with the agent runtime's task-contract client
# and undici) into one JavaScript file for Node 18, with the esbuild the repository already has.
# Files it takes from outside this folder must be listed in shared-files.txt: their digest is
# part of the image's tag (recipes.ts), so changing them rebuilds the image.
# Usage: bundle.sh OUTPUT.js
set -euo pipefail
output="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
esbuild="$repo/node_modules/esbuild/bin/esbuild"
if [ ! -x "$esbuild" ]; then
  echo "no esbuild at $esbuild: run npm ci in $repo first" >&2
  exit 1
fi
cd "$repo"
meta="$(mktemp)"
trap 'rm -f "$meta"' EXIT
"$esbuild" "$here/src/main.ts" --bundle --platform=node --target=node18 --format=cjs \
  --legal-comments=eof --log-level=warning --metafile="$meta" --outfile="$output"
# Every repository source the bundle read is in this folder, node_modules or the list.
node - "$meta" "$repo" "$here" <<'CHECK'
const [meta, repo, here] = process.argv.slice(2);
const fs = require("node:fs");
const path = require("node:path");
const listed = new Set(
  fs.readFileSync(path.join(here, "shared-files.txt"), "utf8")
    .split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#")),
);
const inputs = Object.keys(JSON.parse(fs.readFileSync(meta, "utf8")).inputs);
const unlisted = inputs
  .map((input) => path.relative(repo, path.resolve(input)))
  .filter((file) => !file.startsWith("node_modules/") && !path.resolve(repo, file).startsWith(here + path.sep))
  .filter((file) => !listed.has(file));
if (unlisted.length > 0) {
  console.error(`the bundle reads files shared-files.txt does not list: ${unlisted.join(", ")}`);
  process.exit(1);
}
CHECK
