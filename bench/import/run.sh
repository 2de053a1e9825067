#!/usr/bin/env bash
# Import bench: `cz-messenger import` of a generated 1,000,000-message mongoexport (relaxed
# Extended JSON lines, bench/import/generate.js) into a fresh SQLite store; prints messages/s.
# Run it under the machine's lock:  heavy bench/import/run.sh [MESSAGES] [ROOMS]
# The export is generated once into $CZ_IMPORT_BENCH_DIR (default /tmp/cz-import-bench).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
messages="${1:-1000000}"
rooms="${2:-10000}"
data="${CZ_IMPORT_BENCH_DIR:-/tmp/cz-import-bench}/${messages}-${rooms}"
binary="${CZ_BINARY:-build/cz-messenger}"
[ -x "$binary" ] || { echo "build first: $binary not found" >&2; exit 1; }
if [ ! -s "$data/messages.json" ]; then
  echo "generating $messages messages in $rooms rooms into $data" >&2
  node bench/import/generate.js "$data" "$messages" "$rooms"
fi
db="$(mktemp -d)"
trap 'rm -rf "$db"' EXIT
/usr/bin/time -f '%e s elapsed, %U s user, %S s system, %M KiB max RSS' \
  "$binary" import --store "sqlite:$db/bench.db${CZ_IMPORT_BENCH_URL_OPTIONS:-}" --rooms "$data/rooms.json" \
  --messages "$data/messages.json" --json --quiet ${CZ_IMPORT_BENCH_ARGS:-} >"$db/summary.json"
node -e '
  const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const m = s.messages;
  if (s.fatal || m.imported !== Number(process.argv[2]) || m.rejected) {
    console.error(JSON.stringify(s)); process.exit(1);
  }
  console.log(`rooms: ${s.rooms.imported} in ${s.rooms.seconds.toFixed(2)} s`);
  console.log(`messages: ${m.imported} in ${m.seconds.toFixed(2)} s = ${Math.round(m.imported / m.seconds)} messages/s`);
  console.log(`total: ${s.seconds.toFixed(2)} s`);
' "$db/summary.json" "$messages"
ls -l "$db/bench.db" | awk '{print "database file: " $5 " bytes"}'
