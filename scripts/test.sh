#!/usr/bin/env bash
# Runs every test: format check, unit tests (ctest), end-to-end tests (node --test against the real
# server binary, the official socket.io-client, real Redis and PostgreSQL), and optionally the unit
# tests again under AddressSanitizer + UBSan.
#
# Environment:
#   CZ_SANITIZE_TESTS=1|0   also build build-asan/ and run its unit tests (default: 1)
#   CZ_SANITIZE_E2E=1|0     also run the e2e suite against the sanitizer binary (default: 1)
#   CZ_E2E_ASAN_DEADLINE=S  ... unless S seconds have gone by then (default 1680: CI stops at 30 min)
#   CZ_E2E_POSTGRES=1|0     also run the messenger, REST and import e2e suites on PostgreSQL (default: 1)
#   CZ_E2E_CONCURRENCY=N    e2e test files run in parallel (default 2)
#   CZ_E2E_FILTER=REGEX     only e2e files whose path matches REGEX
#   CZ_FUZZ_SECONDS=N       seconds each fuzz target runs (default 8; 0 skips the step)
#   CZ_BROWSER_TESTS=1|0    run the web client's browser tests (tests/browser; default: 1)
# Exits non-zero when any step fails; later steps still run when they can, and a summary of every
# step with its duration is printed at the end.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$CZ_ROOT"

declare -a summary=()
failed=0
# Failing unit tests' names and output, printed again just before the summary: CI shows only
# the tail of a run's output, which would otherwise hold no trace of which test failed.
failure_details="$(mktemp)"

# run_step NAME COMMAND...: runs one step, records its result and duration.
run_step() {
  local name="$1" start=$SECONDS rc
  shift
  cz_step "$name"
  "$@"
  rc=$?
  if [ $rc -eq 0 ]; then
    summary+=("$(printf 'ok    %4ss  %s' $((SECONDS - start)) "$name")")
  else
    summary+=("$(printf 'FAIL  %4ss  %s (exit %s)' $((SECONDS - start)) "$name" "$rc")")
    failed=1
  fi
  return $rc
}

print_summary() {
  if [ -s "$failure_details" ]; then
    printf '\n==> Failed unit tests (last lines of their output)\n' >&2
    tail -n 150 "$failure_details" >&2
  fi
  rm -f "$failure_details"
  printf '\n==> Summary (total %ss)\n' "$SECONDS" >&2
  printf '  %s\n' "${summary[@]}" >&2
  if [ $failed -ne 0 ]; then
    printf 'FAILED\n' >&2
  else
    printf 'ALL PASSED\n' >&2
  fi
}
trap print_summary EXIT

check_format() {
  local files
  mapfile -t files < <(find src tests/unit tests/test_server -type f \
    \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cc' \) | sort)
  [ "${#files[@]}" -gt 0 ] || return 0
  clang-format --dry-run --Werror "${files[@]}"
}

run_unit_tests() {
  local dir="$1" rc=0 failed_list="$1/Testing/Temporary/LastTestsFailed.log"
  ctest --test-dir "$dir" --output-on-failure -j "$(cz_jobs)" --timeout 120 || rc=$?
  if [ $rc -ne 0 ] && [ -s "$failed_list" ]; then
    {
      printf -- '-- %s: %s\n' "$dir" "$(cut -d: -f2- "$failed_list" | paste -sd ' ')"
      # Once more, alone, for their output (and to tell a test broken from one that is flaky:
      # the step fails either way).
      ctest --test-dir "$dir" --rerun-failed --output-on-failure --timeout 120 2>&1 |
        grep -v -E '^ *(Start|[0-9]+/[0-9]+ Test) ' | tail -n 120
    } >>"$failure_details"
  fi
  return $rc
}

node_supports() {
  node --help 2>/dev/null | grep -q -- "$1"
}

run_e2e_tests() {
  local binary="$1" files args=()
  mapfile -t files < <(find tests/e2e -path tests/e2e/node_modules -prune -o \
    -type f -name '*.test.js' -print | grep -E -- "${CZ_E2E_FILTER:-.}" | sort)
  if [ "${#files[@]}" -eq 0 ]; then
    echo "no e2e test files found" >&2
    return 1
  fi
  # Both flags exist from Node 20.10/20.11; older runners just use their defaults.
  node_supports --test-concurrency && args+=("--test-concurrency=${CZ_E2E_CONCURRENCY:-2}")
  node_supports --test-timeout && args+=("--test-timeout=120000")
  # The spec reporter lists failures again at the end, with their errors: easier to read in CI.
  node_supports --test-reporter && args+=("--test-reporter=spec")
  # Tests that pass --test-namespaces get the test server built beside it (tests/test_server/).
  CZ_BINARY="$binary" CZ_TEST_BINARY="$(dirname "$binary")/cz-messenger-test-server" \
    node --test "${args[@]}" "${files[@]}"
}

# The messenger, REST and import suites once more with PostgreSQL as the store (the harness
# gives each server its own database when CZ_E2E_STORE=postgres).
run_e2e_tests_on_postgres() {
  CZ_E2E_STORE=postgres CZ_E2E_FILTER='^tests/e2e/(messenger|rest|import)/' run_e2e_tests "$1"
}

# The web client in Debian's chromium, driven by playwright-core (tests/browser); screenshots in
# build/browser-artifacts/.
run_browser_tests() {
  local args=()
  node_supports --test-reporter && args+=("--test-reporter=spec")
  CZ_BINARY="$1" node --test "${args[@]}" tests/browser/*.test.js
}

# On by default, CI included: the unit tests and the e2e suite again under AddressSanitizer +
# UBSan (about 13 minutes more on 2 cores, most of it the build; CZ_SANITIZE_TESTS=0 skips them
# locally).
sanitize_tests="${CZ_SANITIZE_TESTS:-1}"
sanitize_e2e="${CZ_SANITIZE_E2E:-1}"
asan_e2e_deadline="${CZ_E2E_ASAN_DEADLINE:-1680}"
# Fail on the first sanitizer report, with a stack trace.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_step "Setup (system packages, npm ci)" scripts/setup.sh || exit 1
run_step "Format check (clang-format over src/ tests/unit tests/test_server)" check_format
run_step "Build (build/)" scripts/build.sh || exit 1
run_step "Unit tests (ctest, build/)" run_unit_tests build
run_step "End-to-end tests (node --test, build/cz-messenger)" run_e2e_tests "$CZ_ROOT/build/cz-messenger"
if [ "${CZ_E2E_POSTGRES:-1}" = "1" ]; then
  run_step "End-to-end messenger + REST + import tests on PostgreSQL" \
    run_e2e_tests_on_postgres "$CZ_ROOT/build/cz-messenger"
fi

if [ "${CZ_BROWSER_TESTS:-1}" = "1" ]; then
  run_step "Browser tests (chromium + playwright-core, tests/browser)" \
    run_browser_tests "$CZ_ROOT/build/cz-messenger"
fi

# Every libFuzzer target of tests/fuzz/ briefly (clang build into build-fuzz/): long runs are
# scripts/fuzz.sh's job, this one keeps each target building, starting and passing its seeds.
# Budget: about 2 minutes on 2 cores. Measured (2026-12-03, 2 cores, no ccache): the clang build
# of the targets 27 s, then 9 targets x 15 s, 2 min 53 s in all, and CI's last run took 3 min 19 s
# of its 30: 8 s each keeps the step near 2 minutes. Each CI run starts from the committed seeds
# only (no kept corpus); long runs are scripts/fuzz.sh's (tests/fuzz/README.md).
fuzz_seconds="${CZ_FUZZ_SECONDS:-8}"
if [ "$fuzz_seconds" != "0" ]; then
  run_step "Fuzz targets (${fuzz_seconds}s each, build-fuzz/)" scripts/fuzz.sh --seconds "$fuzz_seconds"
fi

if [ "$sanitize_tests" = "1" ]; then
  # The unit tests, and the server binaries for the e2e suite against them: the layers are built
  # for the unit tests anyway, so the servers cost two links (~15 s), and the suite ~75 s (219
  # tests passed under ASan/UBSan on 2026-12-03). A sanitizer report ends the server with a
  # non-zero code, which the harness's stop() turns into a failed test.
  asan_targets=(-- --target unit_tests)
  [ "$sanitize_e2e" = "1" ] && asan_targets=(-- --target unit_tests cz-messenger cz-messenger-test-server)
  if run_step "Sanitizer build (build-asan/)" scripts/build.sh --sanitize "${asan_targets[@]}"; then
    run_step "Unit tests under ASan/UBSan (ctest, build-asan/)" run_unit_tests build-asan
    # CI stops a run at 30 minutes, and the steps before this one took 25 of them here on
    # 2026-12-03 (builds without ccache; CI's runner is ~5 % slower): this last step, ~80 s, is
    # skipped (the summary says so) once CZ_E2E_ASAN_DEADLINE seconds (default 1680, 28
    # minutes) have gone, rather than let a slow runner time out the whole run.
    if [ "$sanitize_e2e" = "1" ]; then
      if [ "$SECONDS" -lt "$asan_e2e_deadline" ]; then
        run_step "End-to-end tests against the ASan/UBSan binary" \
          run_e2e_tests "$CZ_ROOT/build-asan/cz-messenger"
      else
        summary+=("$(printf 'skip  %4ss  %s' 0 "End-to-end tests against the ASan/UBSan binary (${SECONDS}s gone, deadline ${asan_e2e_deadline}s)")")
      fi
    fi
  fi
fi

exit $failed
