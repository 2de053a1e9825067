#!/usr/bin/env bash
# One command for the benchmark of issue 6: builds the load generator and our server, installs
# the Node.js baseline, then runs identical scenarios against each server in turn (a fresh
# server process per scenario, on a free loopback port) and prints them side by side with the
# ratios ours/baseline. Appends the results, with date and machine, to bench/RESULTS.md.
#
#   bench/run.sh [--quick | --full] [--only ours|node] [--server BINARY] [--build-dir DIR]
#                [--postgres | --no-postgres] [--scenarios "pairs fanout ..."] [--no-record]
#                [--memory] [--keep DIR] [--generator cz|wsgen|both] [--wsgen-threads N]
#                [--loadgen BINARY]
# --postgres (default with --full, where PostgreSQL is installed) adds "ours-pg": our server on
# a throwaway PostgreSQL cluster, a fresh database per scenario. Its results also carry the CPU
# of the PostgreSQL processes during the run (pg_cpu_us, pg_cpu_us_per_delivered).
# CZ_BENCH_PG_PARAMS: appended to ours-pg's store URL (store options, e.g. "?pipeline=0").
# --memory adds "ours-mem": our server with `--store memory` (nothing persisted, like the
# baseline; SQLite in memory, so not the transport alone).
# --generator: who drives the pairs* and fanout scenarios: cz-loadgen (cz, the default), wsgen
# (bench/wsgen, Node.js on the npm ws package) or both, one after the other on fresh servers,
# each in tables of its own; idle and connect-storm always use cz-loadgen.
# --loadgen BINARY: a cz-loadgen already built (with --server too, nothing is built).
# Before the first scenario it waits (up to CZ_BENCH_QUIET_WAIT seconds, default 180) for the
# 1-minute load average to fall below CZ_BENCH_QUIET_LOAD (default 1): the build, npm and initdb
# that come first load the machine, and a run that starts loaded is not to be quoted.
#
# See bench/README.md for what each scenario measures.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
MODE=quick
ONLY=""
SERVER_BIN=""
LOADGEN=""
BUILD_DIR="${CZ_BENCH_BUILD_DIR:-$REPO_DIR/build-bench}"
SCENARIOS=""
RECORD=1
KEEP=""
POSTGRES=""
MEMORY=0
GENERATOR=cz
WSGEN_THREADS=1
JWT_SECRET="bench-secret-$$"

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) MODE=quick ;;
    --full) MODE=full ;;
    --only) ONLY="$2"; shift ;;
    --server) SERVER_BIN="$2"; shift ;;
    --loadgen) LOADGEN="$2"; shift ;;
    --build-dir) BUILD_DIR="$2"; shift ;;
    --scenarios) SCENARIOS="$2"; shift ;;
    --no-record) RECORD=0 ;;
    --keep) KEEP="$2"; shift ;;
    --postgres) POSTGRES=1 ;;
    --no-postgres) POSTGRES=0 ;;
    --memory) MEMORY=1 ;;
    --generator) GENERATOR="$2"; shift ;;
    --wsgen-threads) WSGEN_THREADS="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case "$ONLY" in ""|ours|node) ;; *) echo "run.sh: --only takes ours or node" >&2; exit 2 ;; esac
case "$GENERATOR" in cz|wsgen|both) ;; *) echo "run.sh: --generator takes cz, wsgen or both" >&2; exit 2 ;; esac

# Every connection is a descriptor, in the generator and in the server alike.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
MAX_FILES=$(ulimit -n)
[[ "$MAX_FILES" == unlimited ]] && MAX_FILES=1048576

# --- Scenarios: name and load generator arguments, per mode -----------------------------------
# Connection counts leave headroom under the descriptor limit (the server needs one per socket
# too, plus its own files).
BIG=$(( MAX_FILES - 1000 )); (( BIG > 15000 )) && BIG=15000
declare -A ARGS
# pairs-half-saturation's rate is set at run time: half of the deliveries/s that ours (or, with
# --only node, the baseline) reached in pairs-saturation, which must run before it.
if [[ "$MODE" == quick ]]; then
  DEFAULT_SCENARIOS="pairs pairs-saturation pairs-half-saturation fanout idle connect-storm"
  ARGS[pairs]="--scenario pairs --pairs 20 --rate 2000 --duration 3 --warmup 1"
  ARGS[pairs-saturation]="--scenario pairs --pairs 50 --rate 0 --window 4 --duration 3 --warmup 1"
  ARGS[pairs-half-saturation]="--scenario pairs --pairs 50 --duration 3 --warmup 1 --rate"
  ARGS[fanout]="--scenario fanout --tabs 10 --rate 500 --duration 3 --warmup 1"
  ARGS[idle]="--scenario idle --connections 2000 --settle 1 --hold 2"
  ARGS[connect-storm]="--scenario connect-storm --connections 1000 --connect-timeout 30"
else
  DEFAULT_SCENARIOS="pairs pairs-10k pairs-saturation pairs-half-saturation pairs-1k-clients pairs-15k-clients fanout idle connect-storm"
  ARGS[pairs]="--scenario pairs --pairs 100 --rate 5000 --duration 10 --warmup 2"
  ARGS[pairs-10k]="--scenario pairs --pairs 100 --rate 10000 --duration 10 --warmup 2"
  ARGS[pairs-saturation]="--scenario pairs --pairs 100 --rate 0 --window 8 --duration 10 --warmup 2"
  ARGS[pairs-half-saturation]="--scenario pairs --pairs 100 --duration 10 --warmup 2 --rate"
  ARGS[pairs-1k-clients]="--scenario pairs --pairs 100 --rate 2000 --duration 10 --warmup 2 --background 800"
  ARGS[pairs-15k-clients]="--scenario pairs --pairs 100 --rate 2000 --duration 10 --warmup 2 --background $(( BIG - 200 ))"
  ARGS[fanout]="--scenario fanout --tabs 20 --rate 500 --duration 10 --warmup 2 --grace 15"
  ARGS[idle]="--scenario idle --connections $BIG --settle 3 --hold 10"
  ARGS[connect-storm]="--scenario connect-storm --connections 5000 --connect-timeout 60"
fi
SCENARIOS="${SCENARIOS:-$DEFAULT_SCENARIOS}"
for s in $SCENARIOS; do
  [[ -n "${ARGS[$s]:-}" ]] || { echo "run.sh: unknown scenario $s (have: ${!ARGS[*]})" >&2; exit 2; }
done

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

# --- Build -------------------------------------------------------------------------------------
build() {
  if [[ -n "$LOADGEN" && ( -n "$SERVER_BIN" || "$ONLY" == node ) ]]; then
    [[ -x "$LOADGEN" ]] || { echo "run.sh: no load generator at $LOADGEN" >&2; exit 1; }
    return 0
  fi
  if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    log "configuring $BUILD_DIR (Release)"
    cmake -S "$REPO_DIR" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  local targets=()
  [[ -z "$LOADGEN" ]] && targets+=(cz-loadgen)
  [[ -z "$SERVER_BIN" && "$ONLY" != node ]] && targets+=(cz-messenger)
  log "building ${targets[*]} in $BUILD_DIR"
  cmake --build "$BUILD_DIR" --target "${targets[@]}" -j2 >&2
  [[ -z "$SERVER_BIN" ]] && SERVER_BIN="$BUILD_DIR/cz-messenger"
  [[ -z "$LOADGEN" ]] && LOADGEN="$BUILD_DIR/cz-loadgen"
  return 0
}

install_baseline() {
  local dir="$BENCH_DIR/baseline-node"
  if [[ ! -d "$dir/node_modules/socket.io" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    log "installing the Node.js baseline (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --omit=dev >&2)
  fi
}

install_wsgen() {
  local dir="$BENCH_DIR/wsgen"
  if [[ ! -d "$dir/node_modules/ws" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    log "installing wsgen, the second load generator (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --omit=dev >&2)
  fi
}

# The generators of a scenario: wsgen drives the conversation scenarios only.
generators_for() {
  case "$1" in
    idle|connect-storm) echo cz-loadgen ;;
    *) case "$GENERATOR" in cz) echo cz-loadgen ;; wsgen) echo wsgen ;; both) echo cz-loadgen wsgen ;; esac ;;
  esac
}

# --- Servers -----------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cz-bench.XXXXXX")"
SERVER_PID=""
stop_server() {
  stop_pid "$SERVER_PID"
  SERVER_PID=""
}
cleanup() {
  stop_server
  stop_postgres
  if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP" && cp -r "$WORK"/. "$KEEP"/; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server ours|ours-pg|node RUN_NAME: starts a fresh server, sets SERVER_PID and
# SERVER_PORT.
start_server() {
  local which="$1" name="$2" log="$WORK/$1-$2.log" store
  # The same scenario ran before with the other generator: its log must be gone before the port
  # is read from it (the redirection below truncates it only once the background job starts).
  rm -f "$log"
  if [[ "$which" == ours* ]]; then
    if [[ "$which" == ours ]]; then
      rm -rf "$WORK/data-$name" && mkdir -p "$WORK/data-$name"  # fresh, as ours-pg's database
      store="sqlite:$WORK/data-$name/bench.db"
    elif [[ "$which" == ours-mem ]]; then
      store=memory
    else
      local db="bench_${name//-/_}"
      psql_admin "DROP DATABASE IF EXISTS $db" && psql_admin "CREATE DATABASE $db" || return 1
      store="postgres://postgres@127.0.0.1:$PG_PORT/$db${CZ_BENCH_PG_PARAMS:-}"
    fi
    # The per-client limits off: every simulated client comes from 127.0.0.1, and the
    # saturation runs send far over a person's event rate on purpose (Node has neither).
    "$SERVER_BIN" --host 127.0.0.1 --port 0 --store "$store" \
      --event-rate 0 --max-pending-headers-per-ip 0 \
      --jwt-secret "$JWT_SECRET" --log-level info >"$log" 2>&1 &
  else
    node "$BENCH_DIR/baseline-node/server.js" --host 127.0.0.1 --port 0 \
      --jwt-secret "$JWT_SECRET" >"$log" 2>&1 &
  fi
  SERVER_PID=$!
  SERVER_PORT=""
  for _ in $(seq 200); do
    SERVER_PORT=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -1 | sed 's/.*://') || true
    [[ -n "$SERVER_PORT" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: $which server did not start for $name; its output:" >&2
  tail -20 "$log" >&2
  stop_server
  return 1
}

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"

# Half of the best deliveries/s of pairs-saturation so far (ours first), at least 100.
half_saturation_rate() {
  node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
    const sat = lines.filter((l) => l.run === "pairs-saturation");
    const ours = sat.filter((l) => l.server === "ours");
    const pick = ours.find((l) => l.generator === "cz-loadgen") || ours[0] || sat[0];
    console.log(pick ? Math.max(100, Math.round(pick.delivered_per_s / 2)) : "");
  ' "$RESULTS"
}

run_one() {
  local which="$1" name="$2" generator="$3"
  if [[ "$name" == pairs-half-saturation && "${ARGS[$name]}" == *--rate ]]; then
    local rate
    rate=$(half_saturation_rate)
    [[ -n "$rate" ]] || { echo "run.sh: pairs-half-saturation needs pairs-saturation first" >&2; return 1; }
    ARGS[$name]="${ARGS[$name]} $rate"
  fi
  local pg_before=0
  [[ "$which" == ours-pg ]] && pg_before=$(pg_cpu_us)
  start_server "$which" "$name" || return 1
  log "$which: $name with $generator (port $SERVER_PORT, pid $SERVER_PID)"
  local line rc=0 command=("$LOADGEN") args="${ARGS[$name]}"
  if [[ "$generator" == wsgen ]]; then
    command=(node "$BENCH_DIR/wsgen/wsgen.js")
    args="$args --threads $WSGEN_THREADS"
  fi
  # shellcheck disable=SC2086  # ARGS holds words on purpose
  line=$("${command[@]}" --port "$SERVER_PORT" --server-pid "$SERVER_PID" --jwt-secret "$JWT_SECRET" \
    --label "$which" $args) || rc=$?
  stop_server
  if [[ "$line" != \{* ]]; then
    echo "run.sh: $generator gave no result for $which/$name (exit $rc)" >&2
    return 1
  fi
  if [[ "$which" == ours-pg ]]; then
    sleep 0.5  # the backends exit (and are reaped) after the server closed its connections
    local pg_cpu delivered
    pg_cpu=$(( $(pg_cpu_us) - pg_before ))
    delivered=$(grep -o '"delivered":[0-9]*' <<<"$line" | head -1 | cut -d: -f2)
    line="{\"pg_cpu_us\":$pg_cpu,\"pg_cpu_us_per_delivered\":$(( pg_cpu / (${delivered:-0} > 0 ? ${delivered:-1} : 1) )),${line:1}"
    log "ours-pg: $name: PostgreSQL CPU ${pg_cpu} us, delivered ${delivered:-?}"
  fi
  # wsgen names itself in its line; cz-loadgen's gets the key here.
  local tag=""
  [[ "$line" == *'"generator":'* ]] || tag="\"generator\":\"$generator\","
  printf '{"run":"%s","server":"%s","args":"%s",%s%s\n' "$name" "$which" "$args" "$tag" "${line:1}" >>"$RESULTS"
}

# --- Main --------------------------------------------------------------------------------------
build
[[ "$ONLY" != ours ]] && install_baseline
[[ "$GENERATOR" != cz ]] && install_wsgen
SERVERS=()
if [[ "$ONLY" != node ]]; then
  if [[ -x "$SERVER_BIN" ]]; then SERVERS+=(ours); else echo "run.sh: no server binary at $SERVER_BIN" >&2; exit 1; fi
fi
if [[ -z "$POSTGRES" ]]; then [[ "$MODE" == full ]] && POSTGRES=1 || POSTGRES=0; fi
if [[ "$POSTGRES" == 1 && "$ONLY" != node ]]; then
  if find_postgres && start_postgres; then
    SERVERS+=(ours-pg)
  else
    echo "run.sh: PostgreSQL not available here: skipping ours-pg" >&2
  fi
fi
[[ "$MEMORY" == 1 && "$ONLY" != node ]] && SERVERS+=(ours-mem)
[[ "$ONLY" != ours ]] && SERVERS+=(node)

wait_for_quiet
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
FAILED=0
for name in $SCENARIOS; do
  for generator in $(generators_for "$name"); do
    for which in "${SERVERS[@]}"; do
      run_one "$which" "$name" "$generator" || FAILED=$((FAILED + 1))
    done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

COMMIT=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
META="mode=$MODE generator=$GENERATOR commit=$COMMIT date=$(date -u +%Y-%m-%dT%H:%MZ) load_before=$LOAD_BEFORE load_after=$LOAD_AFTER"
# Non-default settings change what the figures mean: the header says so.
[[ -n "${CZ_BENCH_PG_SETTINGS:-}" ]] && META+=" pg_settings=\"$CZ_BENCH_PG_SETTINGS\""
[[ -n "${CZ_BENCH_PG_PARAMS:-}" ]] && META+=" pg_store_params=$CZ_BENCH_PG_PARAMS"
COMPARE=(--results "$RESULTS" --machine "$(machine_line)" --meta "$META")
(( RECORD )) && COMPARE+=(--append "$BENCH_DIR/RESULTS.md")
node "$BENCH_DIR/compare.js" "${COMPARE[@]}"
if (( FAILED > 0 )); then
  echo "run.sh: $FAILED run(s) failed (see above)" >&2
  exit 1
fi
