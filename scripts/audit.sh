#!/usr/bin/env bash
# Dependency audit of what ships (`npm audit --omit=dev --audit-level=high`).
#
# Invariants:
# - Exit 0 only when npm audit itself passed, or when the audit endpoint could not be asked (a
#   registry mirror that refuses POST /-/npm/v1/security/advisories/bulk, no network): then it
#   prints "WARNING: dependency audit NOT performed" with npm's exact refusal, never a pass.
# - Advisories at or above "high" fail with npm's exit code and report, whatever else happened.
# - Any other npm failure fails too (exit code kept), so a broken setup is not mistaken for a
#   refused endpoint.
set -uo pipefail
cd "$(dirname "$0")/.."

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

npm audit --omit=dev --audit-level=high "$@" >"$out" 2>"$err"
status=$?
cat "$out"

if [[ $status -eq 0 ]]; then
  cat "$err" >&2
  echo "[audit] npm audit --omit=dev --audit-level=high: passed"
  exit 0
fi

# npm prints "# npm audit report" (text) or a "vulnerabilities" object (--json) when it got an
# answer; only without one can the failure be the endpoint's.
if ! grep -qE '^# npm audit report|"vulnerabilities"[[:space:]]*:' "$out" &&
  grep -qE 'audit endpoint returned an error|ENOAUDIT|code (ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN)' "$err"; then
  echo "[audit] WARNING: dependency audit NOT performed: the registry's audit endpoint is unavailable." >&2
  echo "[audit] registry: $(npm config get registry 2>/dev/null)" >&2
  echo "[audit] npm's exact answer (exit $status):" >&2
  grep -vE 'A complete log of this run' "$err" | sed 's/^/[audit]   /' >&2
  exit 0
fi

cat "$err" >&2
echo "[audit] npm audit --omit=dev --audit-level=high: FAILED (exit $status)" >&2
exit "$status"
