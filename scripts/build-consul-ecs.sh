#!/usr/bin/env bash
# Builds HashiCorp consul-ecs from the unmodified source snapshot in
# ../shared/thirdparty/consul-ecs-<version>.tar.gz, as ../shared/thirdparty/README.md says:
# `scripts/build-consul-ecs.sh [version]`, version 0.4.3 (the default: the reference
# `acl-controller`, the benchmarks' peer and the migration tests' source of tokens) or 0.10.0 (the
# IAM-auth era's `controller`, the side-by-side peer of `ecs-acl-controller controller`).
#
# Invariants:
# - The binary lands at ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}/consul-ecs-<version>/consul-ecs
#   with a PROVENANCE.txt beside it; it is never committed and nothing is written inside the clone
#   (the archive is unpacked and built in a temp dir, removed afterwards).
# - The source is not modified: the archive is unpacked as is and built with
#   GOTOOLCHAIN=local (the machine's Go; no toolchain download), CGO_ENABLED=0 and GOFLAGS=-mod=mod
#   (dependencies from the Go module proxy, go.mod/go.sum as shipped).
# - Idempotent: a cached binary that reports `consul-ecs v<version>` and was built from an archive with
#   the same sha256 (PROVENANCE.txt) is kept; concurrent callers are serialised by flock.
# - Never fails the caller: on any failure it prints a WARNING, writes the failing command and its
#   exact output to ${cache}/consul-ecs-<version>-build-error.txt (0.4.3: consul-ecs-build-error.txt) and exits 0; a success removes that file.
#   SKIP_CONSUL_ECS_BUILD=1 skips it. CONSUL_ECS_SOURCE overrides the archive's path.
set -uo pipefail

VERSION="${1:-0.4.3}"
case "$VERSION" in
  0.4.3 | 0.10.0) ;;
  *) echo "[build-consul-ecs] unknown version $VERSION (0.4.3 or 0.10.0)" >&2; exit 2 ;;
esac
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SOURCE="${CONSUL_ECS_SOURCE:-$ROOT/../shared/thirdparty/consul-ecs-$VERSION.tar.gz}"
CACHE="${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}"
DIR="$CACHE/consul-ecs-$VERSION"
BIN="$DIR/consul-ecs"
ERR="$CACHE/consul-ecs-build-error.txt"
[[ "$VERSION" == "0.4.3" ]] || ERR="$CACHE/consul-ecs-$VERSION-build-error.txt"
TIMEOUT="${CONSUL_ECS_BUILD_TIMEOUT:-900}"

log() { echo "[build-consul-ecs] $*"; }
warn() { echo "[build-consul-ecs] WARNING: $*" >&2; }

# Records why the binary is unavailable and ends the script successfully.
give_up() {
  {
    echo "consul-ecs v$VERSION not built ($(date -u +%FT%TZ)): $1"
    [[ $# -gt 1 ]] && printf '%s\n' "${@:2}"
  } >"$ERR"
  warn "consul-ecs v$VERSION unavailable: $1"
  warn "exact error in $ERR; the specs that need the binary will be pending"
  exit 0
}

if [[ "${SKIP_CONSUL_ECS_BUILD:-}" == "1" ]]; then
  log "SKIP_CONSUL_ECS_BUILD=1, not building"
  exit 0
fi
mkdir -p "$CACHE" || { warn "cannot create $CACHE"; exit 0; }

if command -v flock >/dev/null; then
  exec 9>"$CACHE/.consul-ecs-$VERSION-build.lock" && flock 9
fi

sha=""
[[ -f "$SOURCE" ]] && sha="$(sha256sum "$SOURCE" | cut -d' ' -f1)"
if [[ -x "$BIN" ]] && "$BIN" version 2>/dev/null | grep -qx "consul-ecs v$VERSION" &&
  { [[ -z "$sha" ]] || grep -q "sha256 $sha" "$DIR/PROVENANCE.txt" 2>/dev/null; }; then
  log "$BIN is v$VERSION (cached)"
  sed 's/^/[build-consul-ecs]   /' "$DIR/PROVENANCE.txt" 2>/dev/null
  exit 0
fi

[[ -n "$sha" ]] || give_up "source archive $SOURCE not found (expected ../shared/thirdparty beside the clone)"
command -v go >/dev/null || give_up "no Go toolchain on PATH"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/consul-ecs-build.XXXXXX")" || give_up "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
start=$SECONDS

# Runs one step in the unpacked source; on failure gives up with the command and its exact output.
step() {
  local what="$1" out
  shift
  log "$what: $*"
  if ! out="$(cd "$WORK/consul-ecs-$VERSION" && "$@" 2>&1)"; then
    give_up "step '$what' failed" "\$ (cd consul-ecs-$VERSION && $*)" "$(go version 2>&1)" \
      "GOPROXY=$(go env GOPROXY 2>&1)" "--- output ---" "$out"
  fi
  [[ -z "$out" ]] || echo "$out" | tail -n 5 | sed 's/^/[build-consul-ecs]   /'
}

out="$(tar -xzf "$SOURCE" -C "$WORK" 2>&1)" || give_up "cannot unpack $SOURCE" "$out"
[[ -f "$WORK/consul-ecs-$VERSION/main.go" ]] ||
  give_up "$SOURCE does not hold consul-ecs-$VERSION/main.go"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
runner=()
command -v timeout >/dev/null && runner=(timeout "$TIMEOUT")
log "building consul-ecs v$VERSION from $SOURCE with $(go version) in $WORK"
step "go build" "${runner[@]}" go build -trimpath -ldflags='-s -w' -o "$WORK/consul-ecs" .
reported="$("$WORK/consul-ecs" version 2>&1)"
[[ "$reported" == "consul-ecs v$VERSION" ]] ||
  give_up "the built binary reports '$reported', not 'consul-ecs v$VERSION'"

mkdir -p "$DIR" && mv "$WORK/consul-ecs" "$BIN.tmp" && mv "$BIN.tmp" "$BIN" ||
  give_up "cannot install the binary at $BIN"
{
  echo "consul-ecs v$VERSION, unmodified source (tag v$VERSION, MPL-2.0)"
  echo "from $(basename "$SOURCE") sha256 $sha"
  echo "built $(date -u +%FT%TZ) by scripts/build-consul-ecs.sh with $(go version), GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS='$GOFLAGS'"
} >"$DIR/PROVENANCE.txt"
rm -f "$ERR"
log "built $("$BIN" version) at $BIN in $((SECONDS - start))s"
exit 0
