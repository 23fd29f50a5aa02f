#!/usr/bin/env bash
# Builds HashiCorp consul-ecs v0.4.3 (the reference `acl-controller` the benchmarks compare with)
# from the Go module proxy, outside the clone.
#
# Invariants:
# - The binary lands at ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}/consul-ecs-0.4.3/consul-ecs
#   and is never committed. Nothing is written inside the clone.
# - Idempotent: a cached binary that reports `consul-ecs v0.4.3` is kept (and its PROVENANCE.txt,
#   if any, is printed).
# - Two attempts, in order: (1) `go install github.com/hashicorp/consul-ecs@v0.4.3` with GOBIN set;
#   (2) a throwaway wrapper module that requires consul-ecs v0.4.3 and runs its acl-controller and
#   version commands through mitchellh/cli, as consul-ecs's own main.go does.
# - Never fails the caller: on failure it prints a WARNING, writes the exact errors of every
#   attempt to ${cache}/consul-ecs-build-error.txt and exits 0. SKIP_CONSUL_ECS_BUILD=1 skips it.
# - GOTOOLCHAIN=local: the machine's Go is used; no toolchain is downloaded.
set -uo pipefail

VERSION="0.4.3"
MODULE="github.com/hashicorp/consul-ecs"
CACHE="${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}"
DIR="$CACHE/consul-ecs-$VERSION"
BIN="$DIR/consul-ecs"
ERR="$CACHE/consul-ecs-build-error.txt"

log() { echo "[build-consul-ecs] $*"; }
warn() { echo "[build-consul-ecs] WARNING: $*" >&2; }

if [[ "${SKIP_CONSUL_ECS_BUILD:-}" == "1" ]]; then
  log "SKIP_CONSUL_ECS_BUILD=1, not building"
  exit 0
fi
mkdir -p "$CACHE"

if [[ -x "$BIN" ]] && "$BIN" version 2>/dev/null | grep -q "consul-ecs v$VERSION"; then
  log "$BIN is v$VERSION (cached)"
  [[ -f "$DIR/PROVENANCE.txt" ]] && sed 's/^/[build-consul-ecs]   /' "$DIR/PROVENANCE.txt"
  exit 0
fi
if ! command -v go >/dev/null; then
  echo "consul-ecs v$VERSION not built: no Go toolchain on PATH" >"$ERR"
  warn "no Go toolchain; consul-ecs unavailable (see $ERR)"
  exit 0
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/consul-ecs-build.XXXXXX")"
export GOTOOLCHAIN=local CGO_ENABLED=0
log "building $MODULE v$VERSION with $(go version) in $WORK"
{
  echo "consul-ecs v$VERSION build failed ($(date -u +%FT%TZ), $(go version 2>&1), GOPROXY=$(go env GOPROXY))"
} >"$WORK/errors.txt"

# Runs one step; on failure appends the command and its exact output to errors.txt.
step() {
  local what="$1" out
  shift
  log "$what: $*"
  if ! out="$("$@" 2>&1)"; then
    printf '\n--- attempt failed at: %s\n$ %s\n%s\n' "$what" "$*" "$out" >>"$WORK/errors.txt"
    warn "$what failed: $(echo "$out" | head -n 3)"
    return 1
  fi
  [[ -n "$out" ]] && echo "$out" >>"$WORK/build.log"
  return 0
}

# Attempt 1: exactly what the issue says.
attempt_go_install() {
  mkdir -p "$WORK/bin"
  (cd "$WORK" && GOBIN="$WORK/bin" step "go install" go install "$MODULE@v$VERSION") &&
    [[ -x "$WORK/bin/consul-ecs" ]] && mv "$WORK/bin/consul-ecs" "$WORK/consul-ecs"
}

# Attempt 2: a wrapper module whose main runs consul-ecs's own command implementations.
write_wrapper_main() {
  cat >"$1/main.go" <<'EOF'
// Thin CLI entry for a locally built consul-ecs: the acl-controller and version commands only.
package main

import (
	"log"
	"os"

	"github.com/mitchellh/cli"

	aclcontroller "github.com/hashicorp/consul-ecs/subcommand/acl-controller"
	versioncmd "github.com/hashicorp/consul-ecs/subcommand/version"
	"github.com/hashicorp/consul-ecs/version"
)

func main() {
	ui := &cli.BasicUi{Writer: os.Stdout, ErrorWriter: os.Stderr}
	c := cli.NewCLI("consul-ecs", version.GetHumanVersion())
	c.Args = os.Args[1:]
	c.Commands = map[string]cli.CommandFactory{
		"acl-controller": func() (cli.Command, error) { return &aclcontroller.Command{UI: ui}, nil },
		"version": func() (cli.Command, error) {
			return &versioncmd.Command{UI: ui, Version: version.GetHumanVersion()}, nil
		},
	}
	code, err := c.Run()
	if err != nil {
		log.Println(err)
	}
	os.Exit(code)
}
EOF
}

attempt_wrapper() {
  local mod="$WORK/wrapper"
  mkdir -p "$mod" && write_wrapper_main "$mod"
  (
    cd "$mod" || exit 1
    export GOFLAGS=-mod=mod
    step "wrapper: init module" go mod init consul-ecs-local-build || exit 1
    step "wrapper: require consul-ecs" go get "$MODULE@v$VERSION" || exit 1
    step "wrapper: tidy" go mod tidy || exit 1
    step "wrapper: build" go build -trimpath -ldflags="-s -w" -o "$WORK/consul-ecs" . || exit 1
  )
}

start=$SECONDS
if attempt_go_install; then
  how="go install $MODULE@v$VERSION"
elif attempt_wrapper; then
  how="wrapper module requiring $MODULE v$VERSION"
else
  cp "$WORK/errors.txt" "$ERR"
  warn "consul-ecs v$VERSION could not be built; exact errors in $ERR (kept $WORK)"
  warn "the consul-ecs comparison specs will be skipped"
  exit 0
fi

mkdir -p "$DIR"
mv "$WORK/consul-ecs" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
echo "consul-ecs v$VERSION, unmodified, built $(date -u +%FT%TZ) by scripts/build-consul-ecs.sh ($how) with $(go version)" \
  >"$DIR/PROVENANCE.txt"
rm -f "$ERR"
rm -rf "$WORK"
log "built $("$BIN" version) at $BIN via $how in $((SECONDS - start))s"
exit 0
