#!/usr/bin/env bash
# Installs the third-party servers the conformance suites (test/conformance) run against.
#
# Invariants:
# - Everything lands OUTSIDE the clone, under ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}:
#     venv/                 Python venv with moto[server] and ministack (pinned below)
#     consul-1.14.8/consul  a real Consul built from the Go module proxy (optional)
#     consul-build-error.txt  the exact error when that build fails
#     consul-ecs-0.4.3/consul-ecs  HashiCorp's consul-ecs v0.4.3, built by scripts/build-consul-ecs.sh
#     consul-ecs-0.10.0/consul-ecs HashiCorp's consul-ecs v0.10.0 (`controller`), the same script
#                           from ../shared/thirdparty (optional; consul-ecs-build-error.txt on failure)
# - Idempotent and fast when cached: a step whose result exists (and matches the pins) is skipped.
# - Optional backends never fail the script: a failed step prints a WARNING and the script
#   still exits 0. SKIP_PYTHON_SETUP=1 / SKIP_CONSUL_BUILD=1 / SKIP_CONSUL_ECS_BUILD=1 skip a step. The conformance suites report a missing backend as unavailable (skipped).
set -uo pipefail

MOTO_VERSION="5.2.5"
MINISTACK_VERSION="1.5.33"
CONSUL_VERSION="1.14.8"

CACHE="${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}"
VENV="$CACHE/venv"
CONSUL_DIR="$CACHE/consul-$CONSUL_VERSION"
CONSUL_BIN="$CONSUL_DIR/consul"
CONSUL_ERR="$CACHE/consul-build-error.txt"
PYTHON="${PYTHON:-python3}"

mkdir -p "$CACHE"
log() { echo "[setup-backends] $*"; }
warn() { echo "[setup-backends] WARNING: $*" >&2; }

# --- 1. Python venv with moto and ministack -------------------------------------------------
setup_python() {
  local stamp="$VENV/.pins" want="moto[server]==$MOTO_VERSION ministack==$MINISTACK_VERSION"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$VENV/bin/moto_server" && -x "$VENV/bin/ministack" ]]; then
    log "python: venv at $VENV already has $want (cached)"
    return 0
  fi
  if [[ ! -x "$VENV/bin/python" ]]; then
    log "python: creating venv $VENV with $($PYTHON --version 2>&1)"
    "$PYTHON" -m venv "$VENV" || { warn "python: venv creation failed"; return 1; }
  fi
  log "python: pip install $want"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" "ministack==$MINISTACK_VERSION" ||
    { warn "python: pip install failed; moto/ministack backends will be unavailable"; return 1; }
  echo "$want" >"$stamp"
  log "python: installed $want"
}

# --- 2. Consul from the Go module proxy --------------------------------------------------------
# A throwaway module in a temp dir requires github.com/hashicorp/consul at the release tag and
# calls its CLI entry (command.RegisteredCommands), the same thing Consul's own main.go does.
write_consul_main() {
  cat >"$1/main.go" <<'EOF'
// Thin CLI entry for a locally built Consul: runs Consul's registered commands.
package main

import (
	"fmt"
	"os"

	mcli "github.com/mitchellh/cli"

	"github.com/hashicorp/consul/command"
	"github.com/hashicorp/consul/command/cli"
	"github.com/hashicorp/consul/command/version"
)

func main() {
	ui := &cli.BasicUI{BasicUi: mcli.BasicUi{Writer: os.Stdout, ErrorWriter: os.Stderr}}
	cmds := command.RegisteredCommands(ui)
	names := make([]string, 0, len(cmds))
	for name := range cmds {
		names = append(names, name)
	}
	c := &mcli.CLI{
		Args:        os.Args[1:],
		Commands:    cmds,
		Name:        "consul",
		HelpFunc:    mcli.FilteredHelpFunc(names, mcli.BasicHelpFunc("consul")),
		HelpWriter:  os.Stdout,
		ErrorWriter: os.Stderr,
	}
	if c.IsVersion() {
		os.Exit(version.New(ui).Run(nil))
	}
	code, err := c.Run()
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error executing CLI: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}
EOF
}

# Runs one build step, appending its output to the build log; on failure records it.
consul_step() {
  local what="$1"
  shift
  log "consul: $what: $*"
  if ! "$@" >>"$BUILD_LOG" 2>&1; then
    {
      echo "Consul v$CONSUL_VERSION build failed at step: $what"
      echo "command: $*"
      echo "go: $(go version 2>&1)"
      echo "--- last 60 lines of output ---"
      tail -n 60 "$BUILD_LOG"
      echo
    } >"$CONSUL_ERR"
    warn "consul: step '$what' failed; details in $CONSUL_ERR"
    return 1
  fi
}

setup_consul() {
  if [[ -x "$CONSUL_BIN" ]] && "$CONSUL_BIN" version 2>/dev/null | grep -q "Consul v$CONSUL_VERSION"; then
    log "consul: $CONSUL_BIN is v$CONSUL_VERSION (cached)"
    return 0
  fi
  if ! command -v go >/dev/null; then
    echo "Consul v$CONSUL_VERSION not built: no Go toolchain on PATH" >"$CONSUL_ERR"
    warn "consul: no Go toolchain; real-Consul backend unavailable"
    return 1
  fi
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/consul-build.XXXXXX")"
  BUILD_LOG="$work/build.log"
  : >"$BUILD_LOG"
  log "consul: building v$CONSUL_VERSION with $(go version) in $work (log: $BUILD_LOG)"
  write_consul_main "$work"
  (
    cd "$work" || exit 1
    # GOTOOLCHAIN=local: never download a toolchain; GOFLAGS=-mod=mod: let go resolve go.sum.
    export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
    consul_step "init module" go mod init consul-local-build || exit 1
    consul_step "require consul" go get "github.com/hashicorp/consul@v$CONSUL_VERSION" || exit 1
    # Consul's own go.mod replaces api/ with its subdirectory; replace directives of a dependency
    # are ignored, so the tagged api module (v1.18.0) is used instead. The proxy serves no
    # pseudo-version of api at the v1.14.8 commit ("403 Forbidden ... This module version is
    # not available"), and v1.18.0 lacks one field that v1.14.8's CLI reads (RaftServer.LastIndex,
    # used only by `consul operator raft list-peers`). So copy api v1.18.0 from the module cache
    # into the temp module, add that field, and replace api with the local copy.
    consul_step "download api module" go mod download github.com/hashicorp/consul/api || exit 1
    local apidir
    apidir="$(go list -m -f '{{.Dir}}' github.com/hashicorp/consul/api)"
    log "consul: patching a copy of $apidir (adds RaftServer.LastIndex)"
    cp -r "$apidir" "$work/api-local" && chmod -R u+w "$work/api-local"
    sed -i 's/^\tVoter bool$/\tVoter bool\n\n\t\/\/ LastIndex is the last log index this server has in its Raft log.\n\tLastIndex uint64/' \
      "$work/api-local/operator_raft.go"
    grep -q 'LastIndex uint64' "$work/api-local/operator_raft.go" ||
      { echo "patching api/operator_raft.go failed" >"$CONSUL_ERR"; exit 1; }
    consul_step "replace api with the patched copy" \
      go mod edit -replace github.com/hashicorp/consul/api=./api-local || exit 1
    consul_step "tidy" go mod tidy || exit 1
    mkdir -p "$CONSUL_DIR"
    consul_step "build" go build -trimpath -ldflags="-s -w" -o "$CONSUL_BIN.tmp" . || exit 1
    mv "$CONSUL_BIN.tmp" "$CONSUL_BIN"
  )
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    warn "consul: build failed (kept $work for inspection); real-Consul backend unavailable"
    return 1
  fi
  rm -f "$CONSUL_ERR"
  rm -rf "$work"
  log "consul: built $("$CONSUL_BIN" version | head -n 1) at $CONSUL_BIN"
}

# Runs one optional backend step and prints how long it took.
timed() {
  local what="$1" start=$SECONDS rc=0
  shift
  "$@" || rc=1
  log "$what: $([[ $rc -eq 0 ]] && echo ok || echo FAILED) in $((SECONDS - start))s"
  return $rc
}

status=0
if [[ "${SKIP_PYTHON_SETUP:-}" == "1" ]]; then
  log "python: SKIP_PYTHON_SETUP=1, not installing"
else
  timed "python backends" setup_python || status=1
fi
if [[ "${SKIP_CONSUL_BUILD:-}" == "1" ]]; then
  log "consul: SKIP_CONSUL_BUILD=1, not building"
else
  timed "consul build" setup_consul || status=1
fi
# consul-ecs v0.4.3: its script never fails; the binary's presence says whether it worked.
build_consul_ecs() {
  bash "$(dirname "$0")/build-consul-ecs.sh" 0.4.3
  bash "$(dirname "$0")/build-consul-ecs.sh" 0.10.0
  [[ -x "$CACHE/consul-ecs-0.4.3/consul-ecs" && -x "$CACHE/consul-ecs-0.10.0/consul-ecs" ]]
}
if [[ "${SKIP_CONSUL_ECS_BUILD:-}" == "1" ]]; then
  log "consul-ecs: SKIP_CONSUL_ECS_BUILD=1, not building"
else
  timed "consul-ecs build" build_consul_ecs || status=1
fi
if [[ $status -ne 0 ]]; then
  warn "some optional backends are unavailable (see above); continuing"
fi
log "done (cache: $CACHE)"
exit 0
