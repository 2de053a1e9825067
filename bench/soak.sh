#!/usr/bin/env bash
# Soak: a fresh server under a steady mixed load (bench/soak/load.js: pairs of users on WebSocket
# and long-polling sending messages with acks, typing, seen, sync, status queries; clients that
# leave cleanly, drop their TCP connection abruptly, and come back) for N minutes, with the
# server's RSS, open fds and threads sampled every few seconds. Fails when any of them keeps
# growing: the median of the last third of the samples is compared with the median of the first
# third (after a warm-up), with a tolerance; or when the load was not served (nothing acked, or
# the server died).
#
#   bench/soak.sh --minutes N [--server BINARY] [--pairs P] [--rate R] [--interval S] [--keep DIR]
#     --server   default build/cz-messenger (SQLite store in a temp directory)
#     --pairs    concurrent conversations (default 40: 80 clients at a time)
#     --rate     messages per second in total (default 40)
#     --interval seconds between samples (default 5)
#     --keep DIR keep the samples (samples.tsv), the load's counts and the server log there
# Tolerances (environment): CZ_SOAK_RSS_PCT (default 20) and CZ_SOAK_RSS_MB (default 16): the
# RSS may grow by this percentage plus this many MiB; CZ_SOAK_FDS (default 40) and
# CZ_SOAK_THREADS (default 2): absolute growth allowed.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
SERVER_BIN="$REPO_DIR/build/cz-messenger"
MINUTES=""
PAIRS=40
RATE=40
INTERVAL=5
KEEP=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) MINUTES="$2"; shift ;;
    --server) SERVER_BIN="$2"; shift ;;
    --pairs) PAIRS="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --interval) INTERVAL="$2"; shift ;;
    --keep) KEEP="$2"; shift ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
[[ "$MINUTES" =~ ^[0-9]+$ && "$MINUTES" -gt 0 ]] || { echo "soak.sh: --minutes N is required" >&2; exit 2; }
[[ -x "$SERVER_BIN" ]] || { echo "soak.sh: no server binary at $SERVER_BIN (scripts/build.sh)" >&2; exit 2; }
[[ -d "$REPO_DIR/tests/e2e/node_modules/socket.io-client" ]] ||
  { echo "soak.sh: socket.io-client missing (scripts/setup.sh installs it)" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cz-soak.XXXXXX")"
SECRET="soak-secret-$$"
SERVER_PID=""
LOAD_PID=""
cleanup() {
  for pid in "$LOAD_PID" "$SERVER_PID"; do
    [[ -n "$pid" ]] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$KEEP" ]]; then
    mkdir -p "$KEEP"
    cp "$WORK"/samples.tsv "$WORK"/load.json "$WORK"/server.log "$KEEP"/ 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Limits that a load from one address would trip are off, as in bench/run.sh: the soak is
# about leaks, not about the limits (their own tests are elsewhere).
"$SERVER_BIN" --host 127.0.0.1 --port 0 --store "sqlite:$WORK/soak.db" --jwt-secret "$SECRET" \
  --event-rate 0 --max-pending-headers-per-ip 0 --log-level warn >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
PORT=""
for _ in $(seq 200); do
  # --log-level warn hides the "listening on" line: ask the kernel which port it listens on.
  PORT=$(ss -ltnpH 2>/dev/null | grep "pid=$SERVER_PID," | grep -o '127\.0\.0\.1:[0-9]*' | head -1 | sed 's/.*://') || true
  [[ -n "$PORT" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
[[ -n "$PORT" ]] || { echo "soak.sh: the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }

SECONDS_TOTAL=$((MINUTES * 60))
echo "soak.sh: server pid $SERVER_PID on port $PORT; $PAIRS pairs, $RATE msg/s, $MINUTES min" >&2
node "$BENCH_DIR/soak/load.js" --port "$PORT" --secret "$SECRET" --pairs "$PAIRS" --rate "$RATE" \
  --seconds "$SECONDS_TOTAL" >"$WORK/load.json" 2>"$WORK/load.err" &
LOAD_PID=$!

sample() {
  local rss threads fds
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$SERVER_PID/status")
  fds=$(find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
  printf '%s\t%s\t%s\t%s\n' "$((SECONDS))" "$rss" "$fds" "$threads"
}

printf 'elapsed_s\trss_kib\tfds\tthreads\n' >"$WORK/samples.tsv"
start=$SECONDS
while kill -0 "$LOAD_PID" 2>/dev/null; do
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "soak.sh: the server died:" >&2; tail -50 "$WORK/server.log" >&2; exit 1; }
  sample >>"$WORK/samples.tsv"
  last=$(tail -1 "$WORK/samples.tsv")
  if (((SECONDS - start) % 60 < INTERVAL)); then
    echo "soak.sh: $(awk -F'\t' '{printf "%4ss  rss %d MiB  fds %d  threads %d", $1, $2/1024, $3, $4}' <<<"$last")" >&2
  fi
  sleep "$INTERVAL"
done
wait "$LOAD_PID" || { echo "soak.sh: the load failed:" >&2; cat "$WORK/load.err" >&2; exit 1; }
LOAD_PID=""
kill -0 "$SERVER_PID" 2>/dev/null || { echo "soak.sh: the server died:" >&2; tail -50 "$WORK/server.log" >&2; exit 1; }
# After the load: what the server holds once every client is gone (sessions time out first).
sleep 3
sample >>"$WORK/samples.tsv"
echo "soak.sh: load: $(cat "$WORK/load.json")" >&2

# The verdict: medians of the first and last thirds of the samples under load (the first 10 %
# of the run is warm-up: caches, the page cache of SQLite, the allocator's arenas).
python3 - "$WORK/samples.tsv" "$WORK/load.json" <<'EOF'
import json, os, statistics, sys
rows = [line.split('\t') for line in open(sys.argv[1]).read().split('\n')[1:] if line]
rows = [tuple(int(x) for x in r) for r in rows[:-1]]  # the last one is after the load
load = json.load(open(sys.argv[2]))
warm = max(1, len(rows) // 10)
steady = rows[warm:]
if len(steady) < 6:
    print("soak.sh: too few samples for a verdict (run longer)", file=sys.stderr)
    sys.exit(1)
third = len(steady) // 3
first, last = steady[:third], steady[-third:]
med = lambda rows, i: statistics.median(r[i] for r in rows)
rss_pct = float(os.environ.get("CZ_SOAK_RSS_PCT", "20"))
rss_mb = float(os.environ.get("CZ_SOAK_RSS_MB", "16"))
checks = [
    ("rss_kib", 1, med(first, 1) * (1 + rss_pct / 100) + rss_mb * 1024),
    ("fds", 2, med(first, 2) + int(os.environ.get("CZ_SOAK_FDS", "40"))),
    ("threads", 3, med(first, 3) + int(os.environ.get("CZ_SOAK_THREADS", "2"))),
]
failed = False
for name, i, bound in checks:
    a, b = med(first, i), med(last, i)
    ok = b <= bound
    failed |= not ok
    print(f"soak.sh: {name:8} first third {a:>10.0f}  last third {b:>10.0f}  bound {bound:>10.0f}"
          f"  max {max(r[i] for r in steady):>10}  {'ok' if ok else 'GROWING'}", file=sys.stderr)
if load.get("messages_acked", 0) == 0:
    print("soak.sh: no message was acked: the load was not served", file=sys.stderr)
    failed = True
print(json.dumps({"samples": len(rows), "rss_first_kib": med(first, 1), "rss_last_kib": med(last, 1),
                  "fds_first": med(first, 2), "fds_last": med(last, 2),
                  "threads_first": med(first, 3), "threads_last": med(last, 3), "load": load}))
sys.exit(1 if failed else 0)
EOF
