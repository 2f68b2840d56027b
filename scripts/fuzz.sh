#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time.
# Usage: scripts/fuzz.sh [seconds per target]   (default 30)
# Crashes are written to build-fuzz/crashes/; turn each into a regression
# test before fixing it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-30}"
build_dir="${HORAE_BUILD_DIR_PREFIX:-$root/build}-fuzz"
jobs="${HORAE_JOBS:-$(nproc)}"

# clang with libFuzzer (libclang-rt-dev holds libclang_rt.fuzzer).
"$root/scripts/setup.sh" clang libclang-rt-dev
mkdir -p "$build_dir"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DHORAE_ENABLE_FUZZING=ON \
  -DHORAE_ENABLE_TESTING=OFF -DHORAE_ENABLE_EXAMPLES=OFF \
  -DHORAE_ENABLE_BENCHMARKS=OFF > "$build_dir/configure.log"
cmake --build "$build_dir" -j "$jobs" --target config_fuzz stored_row_fuzz
mkdir -p "$build_dir/crashes"
for target in config_fuzz stored_row_fuzz; do
  corpus="$build_dir/corpus/$target"
  mkdir -p "$corpus"
  if [ -d "$root/tests/fuzz/seeds/$target" ]; then
    cp -n "$root/tests/fuzz/seeds/$target/"* "$corpus/" 2>/dev/null || true
  fi
  echo "== fuzzing $target for ${seconds}s"
  ASAN_OPTIONS="detect_leaks=0" \
    "$build_dir/bin/$target" "$corpus" -max_total_time="$seconds" \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build_dir/crashes/$target-" 2>&1 | tail -12
done
