# Shared by bench/run.sh and bench/cluster.sh: a throwaway PostgreSQL cluster (PG_* variables,
# logs in $WORK), its CPU time, and a line describing the machine. Sourced, not run.

PG_BIN=""
PG_PID=""
PG_PORT=""
PG_DIR=""
# PostgreSQL refuses to run as root: then initdb and postgres run as the postgres OS user.
as_pg_user() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
find_postgres() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [[ -n "$dir" && -x "$dir/initdb" ]] || return 1
  if [[ $(id -u) == 0 ]]; then id postgres >/dev/null 2>&1 || return 1; fi
  PG_BIN="$dir"
}
start_postgres() {
  # A directory of its own: the postgres user cannot enter $WORK (mode 700, root's).
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cz-bench-pg.XXXXXX")"
  if [[ $(id -u) == 0 ]]; then chown postgres "$PG_DIR"; fi
  as_pg_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C \
    >"$WORK/pg-initdb.log" 2>&1 || { cat "$WORK/pg-initdb.log" >&2; return 1; }
  PG_PORT=$(free_port)
  # Default durability settings: the comparison with SQLite's group commit stays honest.
  # Started without a shell function in between, so that $! is runuser (or postgres) itself.
  # CZ_BENCH_PG_SETTINGS: extra server settings for experiments, space-separated name=value
  # (e.g. "synchronous_commit=off autovacuum=off"); results taken with it are not the default's.
  local postgres=("$PG_BIN/postgres" -D "$PG_DIR/data" -p "$PG_PORT" -h 127.0.0.1 -k "$PG_DIR"
    -c max_connections=100)
  local setting
  for setting in ${CZ_BENCH_PG_SETTINGS:-}; do postgres+=(-c "$setting"); done
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- "${postgres[@]}" >"$WORK/pg.log" 2>&1 &
  else
    "${postgres[@]}" >"$WORK/pg.log" 2>&1 &
  fi
  PG_PID=$!
  for _ in $(seq 100); do
    grep -q 'ready to accept connections' "$WORK/pg.log" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "bench: PostgreSQL did not start:" >&2
  tail -20 "$WORK/pg.log" >&2
  return 1
}
# Signals go to the postmaster itself (its pid is in postmaster.pid): background jobs of a
# script ignore SIGINT, and runuser need not pass it on. SIGINT: fast shutdown.
stop_postgres() {
  [[ -z "$PG_PID" ]] && return 0
  local postmaster
  postmaster=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true)
  [[ -n "$postmaster" ]] && kill -INT "$postmaster" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  [[ -n "$postmaster" ]] && kill -QUIT "$postmaster" 2>/dev/null || true
  kill -KILL "$PG_PID" 2>/dev/null || true
  wait "$PG_PID" 2>/dev/null || true
  PG_PID=""
  rm -rf "$PG_DIR"
}
# CPU time of the PostgreSQL server so far, in microseconds: the postmaster with its reaped
# children (backends of past connections) and its live children (backends, walwriter, ...).
pg_cpu_us() {
  local postmaster ticks=0 pid
  postmaster=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  for pid in "$postmaster" $(pgrep -P "$postmaster"); do
    # Fields after the command name: utime stime cutime cstime are the 12th-15th.
    ticks=$(( ticks + $(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk -v self="$([[ $pid == "$postmaster" ]] && echo 1 || echo 0)" \
      '{ print $12 + $13 + (self ? $14 + $15 : 0) }' || echo 0) ))
  done
  echo $(( ticks * 1000000 / $(getconf CLK_TCK) ))
}
psql_admin() {
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 -c "$1" >&2
}

# Every live PostgreSQL process (postmaster, backends, walwriter...), one pid per line: what a
# load generator's --infra-pid samples for the duration of its window.
pg_pids() {
  local postmaster
  postmaster=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null) || return 0
  echo "$postmaster"
  pgrep -P "$postmaster" || true
}

# Stops one process: SIGTERM, up to 5 s to exit, then SIGKILL; reaps it.
stop_pid() {
  local pid="$1"
  [[ -z "$pid" ]] && return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# A free loopback port.
free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

machine_line() {
  local cpu kernel mem
  cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
  kernel=$(uname -r)
  mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
  printf '%s CPUs (%s), %s RAM, Linux %s, fd limit %s' "$(nproc)" "$cpu" "$mem" "$kernel" "$MAX_FILES"
}

# Waits until the 1-minute load average is below CZ_BENCH_QUIET_LOAD, or CZ_BENCH_QUIET_WAIT
# seconds have passed (then the run goes on, and its recorded load_before says so).
wait_for_quiet() {
  local limit="${CZ_BENCH_QUIET_LOAD:-1}" wait_s="${CZ_BENCH_QUIET_WAIT:-180}" start=$SECONDS load
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load" -v m="$limit" 'BEGIN { exit !(l < m) }' && return 0
    if (( SECONDS - start >= wait_s )); then
      printf "== %s\n" "load average still $load after ${wait_s}s: running anyway (not a quiet run)" >&2
      return 0
    fi
    printf "== %s\n" "waiting for a quiet machine: load average $load, want < $limit ($((SECONDS - start))s of ${wait_s}s)" >&2
    sleep 10
  done
}
