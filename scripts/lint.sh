#!/usr/bin/env bash
# Checks that every C++ file is formatted as .clang-format says, and that the
# library, tool and example sources pass the agreed clang-tidy checks
# (.clang-tidy) with no finding. Exits non-zero on the first failing step.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HORAE_BUILD_DIR_PREFIX:-$root/build}-lint"
jobs="${HORAE_JOBS:-$(nproc)}"

"$root/scripts/setup.sh" clang-format clang-tidy
cd "$root"

echo "lint: clang-format"
git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

echo "lint: clang-tidy"
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_EXPORT_COMPILE_COMMANDS=ON > /dev/null
git ls-files 'core/*.cpp' 'journaling/*.cpp' 'facets/*.cpp' 'patterns/*.cpp' \
    'testkit/*.cpp' 'cluster/*.cpp' \
    'tools/*.cpp' 'examples/*.cpp' \
  | xargs -P "$jobs" -n 4 clang-tidy -p "$build_dir" --quiet \
      --warnings-as-errors='*' 2> "$build_dir/tidy.stderr"
echo "lint: clean"
