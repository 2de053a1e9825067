#!/usr/bin/env bash
# Smoke run of the load generator for the test suite: a few hundred messages between a few
# pairs (and a short fan-out) against a fresh server; exits non-zero when any message is lost,
# unacked, refused, duplicated or out of order, or a client fails. Performance figures are
# printed, never asserted.
#
#   bench/smoke.sh [--server BINARY | --node] [--loadgen BINARY]
#     --server BINARY  our server (default: build/cz-messenger), on a temp SQLite store
#     --node           the Node.js baseline instead (bench/baseline-node, after npm ci)
#     --loadgen BINARY cz-loadgen (default: next to the server binary, else build-bench/)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
SERVER_BIN="$REPO_DIR/build/cz-messenger"
LOADGEN=""
USE_NODE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --server) SERVER_BIN="$2"; shift ;;
    --node) USE_NODE=1 ;;
    --loadgen) LOADGEN="$2"; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "smoke.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
if [[ -z "$LOADGEN" ]]; then
  for candidate in "$(dirname "$SERVER_BIN")/cz-loadgen" "$REPO_DIR/build/cz-loadgen" "$REPO_DIR/build-bench/cz-loadgen"; do
    if [[ -x "$candidate" ]]; then LOADGEN="$candidate"; break; fi
  done
fi
[[ -x "$LOADGEN" ]] || { echo "smoke.sh: cz-loadgen not found (build it: cmake --build build --target cz-loadgen)" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cz-smoke.XXXXXX")"
SECRET="smoke-secret-$$"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if (( USE_NODE )); then
  node "$BENCH_DIR/baseline-node/server.js" --port 0 --jwt-secret "$SECRET" >"$WORK/server.log" 2>&1 &
else
  [[ -x "$SERVER_BIN" ]] || { echo "smoke.sh: no server binary at $SERVER_BIN" >&2; exit 2; }
  # As bench/run.sh: the per-client limits off (every client is 127.0.0.1; the connect storm
  # opens 200 connections at once).
  "$SERVER_BIN" --host 127.0.0.1 --port 0 --store "sqlite:$WORK/smoke.db" --jwt-secret "$SECRET" \
    --event-rate 0 --max-pending-headers-per-ip 0 --log-level info >"$WORK/server.log" 2>&1 &
fi
SERVER_PID=$!
PORT=""
for _ in $(seq 200); do
  PORT=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$WORK/server.log" 2>/dev/null | head -1 | sed 's/.*://') || true
  [[ -n "$PORT" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$PORT" ]]; then
  echo "smoke.sh: the server did not start; its output:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi

common=(--port "$PORT" --server-pid "$SERVER_PID" --jwt-secret "$SECRET" --strict --grace 10)
echo "smoke.sh: pairs (5 pairs, 400 messages)" >&2
"$LOADGEN" "${common[@]}" --scenario pairs --pairs 5 --rate 200 --duration 2 --warmup 0
echo "smoke.sh: fanout (1 sender, 4 tabs, 100 messages)" >&2
"$LOADGEN" "${common[@]}" --scenario fanout --tabs 4 --rate 100 --duration 1 --warmup 0
echo "smoke.sh: connect-storm (200 clients)" >&2
"$LOADGEN" "${common[@]}" --scenario connect-storm --connections 200
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "smoke.sh: the server died during the run; its output:" >&2
  cat "$WORK/server.log" >&2
  exit 1
fi
echo "smoke.sh: ok (nothing lost)" >&2
