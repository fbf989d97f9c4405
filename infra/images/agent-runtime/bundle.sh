#!/usr/bin/env bash
# Bundles the agent runtime (src/main.ts, the Anthropic SDK and undici) into one JavaScript file
# for Node 18, with the esbuild the repository already has (tsx depends on it).
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
"$esbuild" "$here/src/main.ts" --bundle --platform=node --target=node18 --format=cjs \
  --legal-comments=eof --log-level=warning --outfile="$output"
