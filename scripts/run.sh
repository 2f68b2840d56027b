#!/usr/bin/env bash
# Sets up, builds and runs the main example: the reminders example on the
# embedded SQLite store. Arguments go to the example (e.g. --duration=30s).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HORAE_BUILD_DIR:-$root/build}"

"$root/scripts/setup.sh"
if [ ! -x "$build_dir/bin/reminders" ]; then
  echo "horae: building the reminders example (the first build takes a few minutes)"
fi
HORAE_BUILD_TARGET=reminders "$root/scripts/build.sh" > "$build_dir.run-build.log" 2>&1 || {
  echo "horae: the build failed:" >&2
  tail -n 30 "$build_dir.run-build.log" >&2
  exit 1
}
rm -f "$build_dir.run-build.log"
echo "horae: running the reminders example (config/reminders_example.ini)"
cd "$root"
exec "$build_dir/bin/reminders" --config=config/reminders_example.ini "$@"
