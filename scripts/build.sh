#!/usr/bin/env bash
# Configures and builds horae into build/ (or $HORAE_BUILD_DIR); incremental.
# Extra arguments are passed to the CMake configure step.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HORAE_BUILD_DIR:-$root/build}"
jobs="${HORAE_JOBS:-$(nproc)}"

"$root/scripts/setup.sh"
if [ ! -f "$build_dir/CMakeCache.txt" ] || [ "$#" -gt 0 ]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
fi
# HORAE_BUILD_TARGET builds one target only (run.sh: just the example).
cmake --build "$build_dir" -j "$jobs" ${HORAE_BUILD_TARGET:+--target "$HORAE_BUILD_TARGET"}
