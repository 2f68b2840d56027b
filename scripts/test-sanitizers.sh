#!/usr/bin/env bash
# Builds and runs the test suite under AddressSanitizer+UndefinedBehavior-
# Sanitizer and under ThreadSanitizer, each in its own build directory,
# the real-time tests labelled slow included (a few seconds in all).
# Usage: scripts/test-sanitizers.sh [asan|tsan]...   (default: both)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jobs="${HORAE_JOBS:-$(nproc)}"
kinds=("$@")
if [ "${#kinds[@]}" -eq 0 ]; then
  kinds=(asan tsan)
fi

"$root/scripts/setup.sh"
for kind in "${kinds[@]}"; do
  case "$kind" in
    asan) sanitizers="address,undefined" ;;
    tsan) sanitizers="thread" ;;
    *) echo "unknown sanitizer build '$kind' (asan or tsan)" >&2; exit 2 ;;
  esac
  build_dir="${HORAE_BUILD_DIR_PREFIX:-$root/build}-$kind"
  mkdir -p "$build_dir"
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DHORAE_SANITIZERS="$sanitizers" -DHORAE_ENABLE_BENCHMARKS=OFF \
    -DHORAE_ENABLE_EXAMPLES=OFF > "$build_dir/configure.log"
  cmake --build "$build_dir" -j "$jobs"
  echo "== $kind: running tests"
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" \
  LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp" \
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" \
      -E '^install\.'
done
