#!/usr/bin/env bash
# The test command (`npm test`): sets up what the tests need, builds, runs every mocha suite under
# c8, and ends with one line `N passed, N failed` taken from mocha's own counts.
set -uo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund || exit 1
if [ -x scripts/setup-backends.sh ]; then
  scripts/setup-backends.sh || echo "warning: some third-party test backends could not be set up" >&2
fi
if [ -x scripts/setup-lint.sh ]; then
  scripts/setup-lint.sh || echo "warning: the deployment linters could not be set up" >&2
fi
npx tsc -p tsconfig.json || exit 1

log=$(mktemp)
# Every suite unless spec files are named (`npm test -- dist/test/acl/x.spec.js`); other mocha
# arguments (--grep …) apply to every suite. .mocharc.json names no spec, so that
# `npx mocha dist/test/x.spec.js` runs that file alone.
specs_named=false
for arg in "$@"; do [[ "$arg" == *.js ]] && specs_named=true; done
$specs_named || set -- "$@" 'dist/test/**/*.spec.js'
npx c8 mocha "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -Eo '^ *[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1)
failed=$(grep -Eo '^ *[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1)
rm -f "$log"
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "$status" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then exit 1; fi
