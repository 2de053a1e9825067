#!/usr/bin/env bash
# Installs everything the project needs on Debian 12, then the e2e test dependencies.
# Idempotent and non-interactive: packages already installed are not touched (apt is skipped
# entirely when nothing is missing), and `npm ci` is skipped when node_modules matches the lock.
# Works as root, or as a normal user through sudo.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config
  libboost-dev libboost-system-dev libssl-dev rapidjson-dev libspdlog-dev libfmt-dev
  libcli11-dev libsqlite3-dev libhiredis-dev libpq-dev libmsgpack-cxx-dev libbson-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang-format
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
)
RUNTIME_PACKAGES=(redis-server postgresql haproxy sqlite3)
# The browser tests (tests/browser) drive Debian's chromium, never a downloaded browser; the fonts
# make its screenshots readable (text and emoji).
BROWSER_PACKAGES=(chromium fonts-liberation fonts-noto-color-emoji)
# The e2e test of GET /metrics parses it with the Prometheus project's own parser.
TEST_PACKAGES=(python3-prometheus-client)

# Root runs apt directly; anyone else goes through sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -- "$@"
  else
    cz_die "need root or sudo to install: $*"
  fi
}

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

missing_packages() {
  local p
  for p in "${BUILD_PACKAGES[@]}" "${RUNTIME_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}" "${TEST_PACKAGES[@]}"; do
    is_installed "$p" || echo "$p"
  done
  # Node is often installed from elsewhere (e.g. nodesource, a newer version than Debian's):
  # only fall back to Debian's packages when there is no node at all, never downgrade it.
  if ! command -v node >/dev/null 2>&1; then
    echo nodejs
    echo npm
  elif ! command -v npm >/dev/null 2>&1; then
    echo npm
  fi
}

install_system_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    cz_step "System packages: all present"
    return
  fi
  cz_step "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
}

check_node() {
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 18 ] || cz_die "Node.js >= 18 is required (found $(node --version))"
}

# `npm ci` wipes and reinstalls node_modules; skip it when the lock file has not changed since the
# last successful install (the stamp stores the lock file's hash).
install_npm_dependencies() {
  local name="$1" dir="$CZ_ROOT/$2" stamp hash
  [ -f "$dir/package-lock.json" ] || cz_die "missing $dir/package-lock.json"
  stamp="$dir/node_modules/.cz-lock-sha256"
  hash="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
    cz_step "$name dependencies: up to date"
    return
  fi
  cz_step "Installing $name dependencies (npm ci in $2)"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$hash" >"$stamp"
}

install_system_packages
check_node
install_npm_dependencies E2E tests/e2e
# The web client's socket.io-client bundle, served by the server from web/node_modules.
install_npm_dependencies "Web client" web
install_npm_dependencies "Browser test" tests/browser
