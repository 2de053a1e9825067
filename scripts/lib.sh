# Shared helpers for the scripts in this folder (sourced, not executed).
# shellcheck shell=bash

CZ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CZ_ROOT

# Start time of the outermost script, shared with the scripts it calls, so that every progress
# line shows the time since the whole run began.
: "${CZ_T0:=$(date +%s)}"
export CZ_T0

# A visible progress line before each long step.
cz_step() {
  printf '\n==> [%4ss] %s\n' "$(($(date +%s) - CZ_T0))" "$*" >&2
}

cz_die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Parallel build jobs: one per core (the project is built on small machines).
cz_jobs() {
  local n
  n="$(nproc 2>/dev/null || echo 2)"
  echo "${CZ_JOBS:-$n}"
}
