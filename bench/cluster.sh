#!/usr/bin/env bash
# The scale-out benchmark (issue 11): 1, 2, 3 ... nodes behind HAProxy (the shipped
# deploy/haproxy.cfg), sharing one Redis and one PostgreSQL, all on loopback. For each node count:
# a fresh database, fresh nodes, the same `pairs` load through HAProxy, buyers and sellers on
# different nodes; then a table of throughput, latency and CPU per delivered message, split into
# the nodes and the shared infrastructure (Redis + PostgreSQL), with the capacity each would
# have on cores of its own. Appends the results to bench/RESULTS.md.
#
#   bench/cluster.sh [--nodes "1 2 3"] [--rate N] [--pairs N] [--duration S] [--warmup S]
#                    [--saturation] [--server BINARY] [--loadgen BINARY] [--build-dir DIR]
#                    [--no-record] [--keep DIR]
#
# --rate: offered messages/s (open loop, default 2000): the same for every node count, so that
#   latency and CPU per message compare. --saturation: closed loop instead (window 8 per pair).
# On a machine with fewer cores than processes the node counts share the cores: throughput then
# cannot rise with nodes, and the figure that tells whether it would is the CPU per delivered
# message (flat or falling as nodes are added = nodes add capacity; the shared Redis and
# PostgreSQL are the ceiling: "infra" columns). HAProxy's own CPU is not counted (it runs in
# front of any deployment, ours or Node's).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

NODES_LIST="1 2 3"
RATE=2000
PAIRS=100
DURATION=10
WARMUP=2
SATURATION=0
SERVER_BIN=""
LOADGEN=""
BUILD_DIR="${CZ_BENCH_BUILD_DIR:-$REPO_DIR/build-bench}"
RECORD=1
KEEP=""
JWT_SECRET="bench-secret-$$"

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) NODES_LIST="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --pairs) PAIRS="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --saturation) SATURATION=1 ;;
    --server) SERVER_BIN="$2"; shift ;;
    --loadgen) LOADGEN="$2"; shift ;;
    --build-dir) BUILD_DIR="$2"; shift ;;
    --no-record) RECORD=0 ;;
    --keep) KEEP="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "cluster.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
for n in $NODES_LIST; do
  [[ "$n" =~ ^[1-9]$ ]] || { echo "cluster.sh: --nodes takes counts from 1 to 9" >&2; exit 2; }
done

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
MAX_FILES=$(ulimit -n)
log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "cluster.sh: $1 is not installed (scripts/setup.sh installs it)" >&2; exit 1; }; }
need redis-server
need haproxy
find_postgres || { echo "cluster.sh: PostgreSQL is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

# --- Build -------------------------------------------------------------------------------------
if [[ -z "$SERVER_BIN" || -z "$LOADGEN" ]]; then
  if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
    log "configuring $BUILD_DIR (Release)"
    cmake -S "$REPO_DIR" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  log "building cz-messenger cz-loadgen in $BUILD_DIR"
  cmake --build "$BUILD_DIR" --target cz-messenger cz-loadgen -j2 >&2
  SERVER_BIN="${SERVER_BIN:-$BUILD_DIR/cz-messenger}"
  LOADGEN="${LOADGEN:-$BUILD_DIR/cz-loadgen}"
fi

# --- Processes ---------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/cz-cluster.XXXXXX")"
NODE_PIDS=()
NODE_PORTS=()
REDIS_PID=""
HAPROXY_PID=""

stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do stop_pid "$pid"; done
  NODE_PIDS=()
  NODE_PORTS=()
  stop_pid "$HAPROXY_PID"
  HAPROXY_PID=""
}
cleanup() {
  stop_nodes
  stop_pid "$REDIS_PID"
  stop_postgres
  if [[ -n "$KEEP" ]]; then mkdir -p "$KEEP" && cp -r "$WORK"/. "$KEEP"/; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

REDIS_PORT=""
start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
    --daemonize no >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 100); do
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "cluster.sh: Redis did not start:" >&2
  tail -20 "$WORK/redis.log" >&2
  return 1
}

# start_node INDEX DB: one cluster node on a free port, appended to NODE_PIDS / NODE_PORTS.
start_node() {
  local index="$1" db="$2" log="$WORK/node$1.log" pid port=""
  # An earlier run's log of this node must be gone before the port is read from it (the
  # redirection below truncates it only once the background job starts).
  rm -f "$log"
  # The per-client limits off, as in bench/run.sh: every simulated client is 127.0.0.1.
  "$SERVER_BIN" --host 127.0.0.1 --port 0 \
    --store "postgres://postgres@127.0.0.1:$PG_PORT/$db" --redis "redis://127.0.0.1:$REDIS_PORT" \
    --event-rate 0 --max-pending-headers-per-ip 0 --max-sockets-per-user 0 \
    --jwt-secret "$JWT_SECRET" --log-level warn >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    port=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$log" 2>/dev/null | head -1 | sed 's/.*://') || true
    [[ -n "$port" ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$port" ]]; then
    echo "cluster.sh: node $index did not start; its output:" >&2
    tail -20 "$log" >&2
    return 1
  fi
  NODE_PIDS+=("$pid")
  NODE_PORTS+=("$port")
}

# The shipped HAProxy configuration with this run's addresses (as tests/e2e/lib/haproxy.js
# renders it), and one change: `balance roundrobin` instead of `balance source`, because every
# simulated client has the address 127.0.0.1 (source hashing would put them all on one node).
# The load generator speaks WebSocket only, so no session spans two requests and stickiness is
# not needed; consecutive connections alternate between the nodes, and the generator connects
# each buyer just before its seller (--connect-concurrency 1): with two or more nodes, the two
# ends of every conversation are on different nodes.
# One command on HAProxy's admin socket, its answer on stdout (empty when it does not answer).
haproxy_command() {
  node -e '
    const c = require("net").connect(process.argv[1], () => c.end(process.argv[2] + "\n"));
    c.on("data", (d) => process.stdout.write(d));
    c.on("error", () => process.exit(0));
  ' "$WORK/haproxy.sock" "$1"
}

LB_PORT=""
start_haproxy() {
  LB_PORT=$(free_port)
  local servers="" i
  for i in "${!NODE_PORTS[@]}"; do
    servers+="    server cz$((i + 1)) 127.0.0.1:${NODE_PORTS[$i]} cookie cz$((i + 1))\n"
  done
  awk -v bind="127.0.0.1:$LB_PORT" -v sock="$WORK/haproxy.sock" -v servers="$servers" '
    /^[[:space:]]*bind[[:space:]]/ { sub(/bind[[:space:]]+[^[:space:]]+/, "bind " bind) }
    /^[[:space:]]*stats socket[[:space:]]/ { sub(/stats socket[[:space:]]+[^[:space:]]+/, "stats socket " sock) }
    /^[[:space:]]*balance[[:space:]]+source/ { sub(/balance[[:space:]]+source/, "balance roundrobin") }
    /^[[:space:]]*hash-type[[:space:]]/ { next }
    /^[[:space:]]*server[[:space:]]+cz[0-9]+/ { if (!done) { printf "%s", servers; done = 1 } next }
    /^[[:space:]]*log stdout/ { next }
    { print }
  ' "$REPO_DIR/deploy/haproxy.cfg" >"$WORK/haproxy.cfg"
  haproxy -c -f "$WORK/haproxy.cfg" >"$WORK/haproxy-check.log" 2>&1 || { cat "$WORK/haproxy-check.log" >&2; return 1; }
  haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  # Ready when every node is UP in HAProxy's own view (health checks every second).
  local up
  for _ in $(seq 100); do
    up=$(haproxy_command "show servers state messenger" |
      awk '$4 ~ /^cz[0-9]+$/ && $6 == 2 { n++ } END { print n + 0 }') || up=0
    [[ "$up" == "${#NODE_PORTS[@]}" ]] && return 0
    sleep 0.2
  done
  echo "cluster.sh: HAProxy does not see every node UP (have $up of ${#NODE_PORTS[@]})" >&2
  tail -20 "$WORK/haproxy.log" >&2
  return 1
}

# --- Runs --------------------------------------------------------------------------------------
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"

load_args() {
  if (( SATURATION )); then
    echo "--scenario pairs --pairs $PAIRS --rate 0 --window 8 --duration $DURATION --warmup $WARMUP"
  else
    echo "--scenario pairs --pairs $PAIRS --rate $RATE --duration $DURATION --warmup $WARMUP"
  fi
}

run_nodes() {
  local n="$1" db="bench_cluster_$1" i args line rc=0
  psql_admin "DROP DATABASE IF EXISTS $db" && psql_admin "CREATE DATABASE $db" || return 1
  redis-cli -p "$REDIS_PORT" flushall >/dev/null
  for i in $(seq "$n"); do start_node "$i" "$db" || return 1; done
  start_haproxy || return 1
  args=$(load_args)
  local pids=() infra=(--infra-pid "$REDIS_PID") pid
  for pid in "${NODE_PIDS[@]}"; do pids+=(--server-pid "$pid"); done
  for pid in $(pg_pids); do infra+=(--infra-pid "$pid"); done
  log "$n node(s) behind HAProxy (port $LB_PORT): $args"
  # shellcheck disable=SC2086  # args holds words on purpose
  line=$("$LOADGEN" --port "$LB_PORT" "${pids[@]}" "${infra[@]}" --jwt-secret "$JWT_SECRET" \
    --connect-concurrency 1 --label "nodes-$n" $args) || rc=$?
  stop_nodes
  if [[ "$line" != \{* ]]; then
    echo "cluster.sh: the load generator gave no result for $n node(s) (exit $rc)" >&2
    return 1
  fi
  printf '{"run":"cluster","nodes":%s,"args":"%s",%s\n' "$n" "$args" "${line:1}" >>"$RESULTS"
}

start_postgres
start_redis
wait_for_quiet
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $NODES_LIST; do run_nodes "$n"; done

# --- Report ------------------------------------------------------------------------------------
HEADER="$(machine_line), load average before the runs $LOAD_BEFORE, commit $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "${CZ_BENCH_PG_SETTINGS:-}" ]] && HEADER+=", PostgreSQL settings: $CZ_BENCH_PG_SETTINGS"
node - "$RESULTS" "$HEADER" "$RECORD" "$BENCH_DIR/RESULTS.md" "$(load_args)" <<'EOF'
const fs = require('fs');
const [results, machine, record, resultsMd, args] = process.argv.slice(2);
const runs = fs.readFileSync(results, 'utf8').split('\n').filter(Boolean).map(JSON.parse);
const fmt = (v, d = 0) => (v === null || v === undefined ? '-' : Number(v).toFixed(d));
const ms = (us) => fmt(us / 1000, 2);
const one = runs.find((r) => r.nodes === 1);
const rows = runs.map((r) => {
  const nodeCpu = r.server_cpu_us_per_delivered;
  const infraCpu = r.infra_cpu_us_per_delivered;
  return [
    r.nodes,
    fmt(r.delivered_per_s),
    `${r.refused}/${r.lost}`,
    ms(r.delivery_p50_us),
    ms(r.delivery_p99_us),
    one ? fmt(r.delivery_p99_us / one.delivery_p99_us, 2) + 'x' : '-',
    fmt(nodeCpu, 1),
    fmt(infraCpu, 1),
    // Each node on a core of its own: the nodes' share of a message, spread over n cores.
    nodeCpu ? fmt((r.nodes * 1e6) / nodeCpu) : '-',
    infraCpu ? fmt(1e6 / infraCpu) : '-',
  ];
});
const header = ['nodes', 'delivered/s', 'refused/lost', 'p50 ms', 'p99 ms', 'p99 vs 1 node',
  'nodes CPU µs/msg', 'Redis+PG CPU µs/msg', 'nodes ceiling msg/s (1 core each)', 'Redis+PG ceiling msg/s (1 core)'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const text = `\n## Cluster ${new Date().toISOString()}\n\n${machine}; load: \`${args}\` through HAProxy ` +
  `(roundrobin, buyer and seller of a pair on different nodes from 2 nodes on), PostgreSQL store, one Redis.\n\n` +
  `${table}\n\n<details><summary>raw</summary>\n\n\`\`\`\n${runs.map((r) => JSON.stringify(r)).join('\n')}\n\`\`\`\n</details>\n`;
process.stdout.write(text);
if (record === '1') fs.appendFileSync(resultsMd, text);
EOF
