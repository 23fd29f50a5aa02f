#!/usr/bin/env bash
# The main job (`npm run demo`): installs what it needs on a fresh clone, builds, and runs the ACL
# controller demo on the embedded envtest servers. It exits with the demo's own exit code.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npx tsc -p tsconfig.json
exec node dist/examples/acl-demo/main.js
