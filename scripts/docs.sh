#!/usr/bin/env bash
# Builds the API reference with doxygen into build-docs/html; any doxygen
# warning fails the build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh" doxygen
cd "$root"
echo "docs: doxygen"
doxygen Doxyfile
echo "docs: build-docs/html/index.html"
