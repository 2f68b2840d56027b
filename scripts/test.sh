#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite through ctest.
# Set HORAE_TEST_LABEL_EXCLUDE=slow to skip the real-time tests.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HORAE_BUILD_DIR:-$root/build}"
jobs="${HORAE_JOBS:-$(nproc)}"

"$root/scripts/build.sh"
ctest_args=(--test-dir "$build_dir" --output-on-failure -j "$jobs")
if [ -n "${HORAE_TEST_LABEL_EXCLUDE:-}" ]; then
  ctest_args+=(-LE "$HORAE_TEST_LABEL_EXCLUDE")
fi
ctest "${ctest_args[@]}"
