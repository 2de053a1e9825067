#!/usr/bin/env bash
# Where a message's cost goes: runs our server under the `pairs` load and profiles it.
#
#   bench/profile.sh [--rate N] [--pairs N] [--seconds N] [--store URL] [--out DIR] [-- SERVER ARGS]
#
# Three windows against one fresh server (build-bench/cz-messenger, Release; bench/run.sh builds
# it): a plain measured run (CPU per delivered message and latency, as bench/run.sh reports them),
# then `perf stat --per-thread` (syscalls by name and context switches, per thread, counted per
# delivered message) and `perf record -g` (call graphs) during two more runs. Prints a summary
# and keeps the raw files in --out (default: a temp dir). Needs Debian's linux-perf (`perf`);
# run it on a quiet machine (the load average is printed before and after). Loopback only,
# bounded in time.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${CZ_BENCH_SERVER:-$REPO_DIR/build-bench/cz-messenger}"
LOADGEN="${CZ_BENCH_LOADGEN:-$REPO_DIR/build-bench/cz-loadgen}"
RATE=5000 PAIRS=100 SECONDS_=6 STORE="" OUT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate) RATE="$2"; shift ;;
    --pairs) PAIRS="$2"; shift ;;
    --seconds) SECONDS_="$2"; shift ;;
    --store) STORE="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --) shift; break ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
command -v perf >/dev/null || { echo "profile.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
[[ -x "$BIN" && -x "$LOADGEN" ]] || { echo "profile.sh: build first (bench/run.sh --no-record --scenarios pairs)" >&2; exit 2; }
OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/cz-profile.XXXXXX")}"
mkdir -p "$OUT"
DB_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cz-profile-db.XXXXXX")"
STORE="${STORE:-sqlite:$DB_DIR/db.sqlite}"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
SECRET=profile-secret

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/load.txt"
"$BIN" --host 127.0.0.1 --port "$PORT" --store "$STORE" --jwt-secret "$SECRET" \
  --event-rate 0 --max-pending-headers-per-ip 0 "$@" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DB_DIR"' EXIT
for _ in $(seq 50); do grep -q listening "$OUT/server.log" && break; sleep 0.1; done

load() {  # load NAME: one pairs run at RATE, JSON to $OUT/NAME.json
  "$LOADGEN" --port "$PORT" --server-pid "$SERVER" --jwt-secret "$SECRET" --scenario pairs \
    --pairs "$PAIRS" --rate "$RATE" --duration "$SECONDS_" --warmup 2 >"$OUT/$1.json" 2>"$OUT/$1.txt"
}
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$OUT/$1.json" "$2"; }

load plain
# The counting windows start after the warm-up and end before the run does.
(sleep 3; perf stat --per-thread -e context-switches,'syscalls:sys_enter_*' \
  -p "$SERVER" -- sleep $((SECONDS_ - 2)) 2>"$OUT/perf-stat.txt") &
STAT=$!
load stat
wait "$STAT"
(sleep 3; perf record -F 999 -g -p "$SERVER" -o "$OUT/perf.data" -- sleep $((SECONDS_ - 2)) >/dev/null 2>&1) &
REC=$!
load record
wait "$REC"
kill -INT "$SERVER"; wait "$SERVER" || true
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"

# Messages delivered inside the perf stat window: its rate times its length.
delivered_in_window=$(python3 -c "print(int($(field stat delivered_per_s) * ($SECONDS_ - 2)))")
echo
echo "== plain run: $RATE msg/s offered, $PAIRS pairs, store $STORE"
printf '  server CPU us per delivered message  %s\n' "$(field plain server_cpu_us_per_delivered)"
printf '  delivery latency p50 / p99 us        %s / %s\n' "$(field plain delivery_p50_us)" "$(field plain delivery_p99_us)"
printf '  deliveries/s                          %s\n' "$(field plain delivered_per_s)"
echo "== per delivered message and thread, during perf stat (~$delivered_in_window messages)"
awk -v n="$delivered_in_window" '
  $3 ~ /^(syscalls:sys_enter_|context-switches)/ {
    gsub(",", "", $2); if ($2 + 0 > 0 && n > 0) printf "  %-28s %-36s %8.2f\n", $1, $3, $2 / n }' \
  "$OUT/perf-stat.txt" | sort -k1,1 -k3,3rn | awk '{ if (++seen[$1] <= 8) print }'
echo "== top of the profile (perf report --no-children, by symbol)"
perf report -i "$OUT/perf.data" --no-children --sort dso,symbol -g none -q 2>/dev/null | grep -v '^$' | head -25
echo "raw files: $OUT"
