#!/usr/bin/env bash
# Runs the server with its embedded defaults: http://127.0.0.1:3000, SQLite store in ./data.
# Installs what is missing and builds first. Extra arguments go to the server, e.g.
#   scripts/run.sh --port 4000 --log-level debug
# (see `build/cz-messenger --help` for every flag and its CZ_* environment variable).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$CZ_ROOT/scripts/setup.sh"
"$CZ_ROOT/scripts/build.sh" -- --target cz-messenger

# The default store is sqlite:./data/cz-messenger.db, relative to the working directory.
cd "$CZ_ROOT"
mkdir -p data
cz_step "Starting build/cz-messenger $*"
exec "$CZ_ROOT/build/cz-messenger" "$@"
