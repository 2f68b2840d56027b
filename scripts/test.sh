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
# The chaos run's counts (lost, early, duplicates, overlaps, failover
# times), printed whether or not it failed; none from an earlier run.
counts="$build_dir/tests/cluster/chaos/counts"
rm -f "$counts"
status=0
ctest "${ctest_args[@]}" || status=$?
if [ -f "$counts" ]; then
  echo "cluster.chaos_three_nodes:"
  sed 's/^/  /' "$counts"
fi
exit "$status"
