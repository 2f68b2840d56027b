#!/usr/bin/env bash
# Usage: check_install.sh <horae build dir> <consumer source dir> <work dir>
set -euo pipefail
build_dir="$1"
consumer="$2"
work="$3"
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  > "$work/configure.log"
cmake --build "$work/build" -j 2 > "$work/build.log"
# No LD_LIBRARY_PATH: the installed package must load from any prefix.
env -u LD_LIBRARY_PATH "$work/build/consumer"
# The same program through pkg-config, for builds without CMake.
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" \
  c++ "$consumer/main.cpp" -o "$work/consumer-pc" \
  $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs horae)
env -u LD_LIBRARY_PATH "$work/consumer-pc"
# Neither may a library need one to find the others.
for lib in "$work"/prefix/lib/libhorae_*.so; do
  if ldd "$lib" | grep -q "libhorae.*not found"; then
    echo "$lib cannot find its horae dependencies:" >&2
    ldd "$lib" >&2
    exit 1
  fi
done
