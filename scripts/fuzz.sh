#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ into build-fuzz/ (clang-14, ASan + UBSan) and runs
# each for a while.
#   scripts/fuzz.sh                          every target, 60 s each
#   scripts/fuzz.sh --seconds 600 jwt        one target for ten minutes
#   scripts/fuzz.sh --list                   the target names
# Each target starts from its committed seeds (tests/fuzz/corpus/<target>/) plus what earlier
# runs found (build-fuzz/corpus/<target>/, kept between runs) and uses its dictionary
# (tests/fuzz/dict/<target>.dict) when there is one. An input that crashes, leaks, hangs (10 s) or
# breaks a property is kept under build-fuzz/findings/<target>/ and makes the script exit 1; the
# log of each run is build-fuzz/logs/<target>.log. Every run is appended to build-fuzz/runs.tsv
# (time, target, seconds, executions, coverage, features, result).
# CZ_JOBS overrides the number of parallel build jobs.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

seconds=60
targets=()
list_only=0
all_targets=(websocket_frame engineio_packet socketio_packet messenger_validate jwt rest_params
  cluster_broadcast redis_reply import_readers message_log)

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds)
      [ $# -ge 2 ] || cz_die "--seconds needs a number"
      seconds="$2"
      shift
      ;;
    --list) list_only=1 ;;
    -h | --help)
      sed -n '2,14p' "$0"
      exit 0
      ;;
    -*) cz_die "unknown option: $1" ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || cz_die "--seconds must be a positive integer"
if [ "$list_only" = 1 ]; then
  printf '%s\n' "${all_targets[@]}"
  exit 0
fi
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || cz_die "unknown target: $t (--list shows them)"
done

build_dir="$CZ_ROOT/build-fuzz"
fuzz_dir="$CZ_ROOT/tests/fuzz"
command -v clang++-14 >/dev/null || cz_die "clang++-14 is missing (scripts/setup.sh installs it)"

cz_step "Configuring $build_dir (clang-14, libFuzzer, ASan + UBSan)"
# -O1 -g: what libFuzzer recommends (fast to build, fast enough to run, exact stack traces);
# no NDEBUG, so that the code's own assertions are checked too.
cmake -S "$CZ_ROOT" -B "$build_dir" -G Ninja -DCZ_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" >/dev/null
cz_step "Building the fuzz targets (-j$(cz_jobs))"
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$build_dir" -j "$(cz_jobs)" --target "${build_targets[@]}"

mkdir -p "$build_dir/logs"
[ -f "$build_dir/runs.tsv" ] ||
  printf 'time\ttarget\tseconds\texecutions\tcoverage\tfeatures\tresult\n' >"$build_dir/runs.tsv"

# Leaks count as findings; a sanitizer report aborts (so the input is saved).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
summary=()
for t in "${targets[@]}"; do
  work_corpus="$build_dir/corpus/$t"
  findings="$build_dir/findings/$t"
  log="$build_dir/logs/$t.log"
  mkdir -p "$work_corpus" "$findings"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$findings/")
  [ -f "$fuzz_dir/dict/$t.dict" ] && args+=(-dict="$fuzz_dir/dict/$t.dict")
  seeds=()
  [ -d "$fuzz_dir/corpus/$t" ] && seeds+=("$fuzz_dir/corpus/$t")
  cz_step "Fuzzing $t for ${seconds}s"
  set +e
  "$build_dir/tests/fuzz/fuzz_$t" "${args[@]}" "$work_corpus" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  set -e
  executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  last="$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -1 || true)"
  coverage="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  features="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  if [ $rc -eq 0 ]; then
    result=ok
  else
    result="FINDING (exit $rc)"
    failed+=("$t")
    grep -E 'ERROR: |FUZZ_CHECK failed|SUMMARY: |Test unit written to' "$log" | head -8 >&2 || true
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$seconds" "${executions:-?}" \
    "${coverage:-?}" "${features:-?}" "$result" >>"$build_dir/runs.tsv"
  summary+=("$(printf '%-20s %6ss %12s execs  cov %6s  ft %7s  %s' "$t" "$seconds" \
    "${executions:-?}" "${coverage:-?}" "${features:-?}" "$result")")
done

printf '\n==> Fuzzing summary\n' >&2
printf '  %s\n' "${summary[@]}" >&2
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'findings in: %s (inputs under %s/findings/, logs under %s/logs/)\n' "${failed[*]}" \
    "$build_dir" "$build_dir" >&2
  exit 1
fi
