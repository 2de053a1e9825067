#!/usr/bin/env bash
# Configures (CMake + Ninja) and builds the project.
#   scripts/build.sh                 release-with-debug-info build into build/
#   scripts/build.sh --sanitize      AddressSanitizer + UBSan build into build-asan/
# Extra arguments after `--` go to `cmake --build` (e.g. `-- --target unit_util`).
# CZ_JOBS overrides the number of parallel jobs (default: number of cores).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build_dir="$CZ_ROOT/build"
cmake_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize)
      build_dir="$CZ_ROOT/build-asan"
      cmake_flags+=(-DCZ_SANITIZE=ON -DCZ_BUILD_BENCH=OFF)
      ;;
    --)
      shift
      break
      ;;
    -h | --help)
      sed -n '2,6p' "$0"
      exit 0
      ;;
    *) cz_die "unknown option: $1" ;;
  esac
  shift
done

cz_step "Configuring $build_dir"
cmake -S "$CZ_ROOT" -B "$build_dir" -G Ninja "${cmake_flags[@]}" >/dev/null
cz_step "Building $build_dir (-j$(cz_jobs))"
cmake --build "$build_dir" -j "$(cz_jobs)" "$@"
