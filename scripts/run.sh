#!/usr/bin/env bash
# Sets up, builds and runs the main example: the reminders example on the
# embedded SQLite store. Arguments go to the example (e.g. --duration=30s).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HORAE_BUILD_DIR:-$root/build}"

"$root/scripts/build.sh"
cd "$root"
exec "$build_dir/bin/reminders" --config=config/reminders_example.ini "$@"
