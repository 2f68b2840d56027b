#!/usr/bin/env bash
# Runs every benchmark on the default configuration, keeps their key=value
# results in docs/perf/results.txt and redraws the plots in docs/perf/ with
# gnuplot. About 10 minutes on a 2-core machine; HORAE_BENCH_QUICK=1 stops
# the timer sweep at 1M timers and fills 200k reminders instead of 1M.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${HORAE_BENCH_BUILD_DIR:-$root/build-bench}"
out="$root/docs/perf"
quick="${HORAE_BENCH_QUICK:-0}"

# valgrind: instruction counts (actor_overhead_bench); gnuplot: the plots.
"$root/scripts/setup.sh" gnuplot-nox valgrind
# A build of its own, configured after valgrind's headers are present.
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
echo "bench: building (the first build takes a few minutes)"
cmake --build "$build_dir" -j "${HORAE_JOBS:-$(nproc)}" --target timer_bench \
  actor_overhead_bench activation_door_bench pattern_bench \
  reminder_delivery_bench reminder_store_bench >/dev/null
bin="$build_dir/bin"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Prints the key=value lines of a benchmark's output, prefixed by its name.
keys() {
  grep -E '^[a-z0-9_]+=[-0-9.]+$' "$2" | sed "s/^/$1./"
}

{
  echo "# horae benchmark results, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
} >"$tmp/results.txt"

echo "bench: timer start cost against pending timers"
sizes=(10000 100000 1000000 10000000)
[ "$quick" = 1 ] && sizes=(10000 100000 1000000)
echo "# timers facet_ns service_ns caf_ns" >"$tmp/timer_start.dat"
for n in "${sizes[@]}"; do
  "$bin/timer_bench" --timers="$n" --rounds=3 --skip-lateness \
    >"$tmp/sweep.txt"
  value() { grep "^$1=" "$tmp/sweep.txt" | cut -d= -f2; }
  echo "$n $(value facet_start_ns) $(value service_start_ns)" \
    "$(value caf_start_ns)" >>"$tmp/timer_start.dat"
done

echo "bench: timers, 1M starts and lateness at 100k fires/s"
"$bin/timer_bench" --lateness-log="$tmp/lateness.dat" >"$tmp/timer.txt"
keys timer "$tmp/timer.txt" >>"$tmp/results.txt"

echo "bench: actor overhead (throughput and instructions per message)"
"$bin/actor_overhead_bench" --messages=300000 --rounds=5 >"$tmp/actor.txt"
keys actor_overhead "$tmp/actor.txt" >>"$tmp/results.txt"

echo "bench: the virtual_ref door, one and two senders"
"$bin/activation_door_bench" >"$tmp/door.txt"
keys activation_door "$tmp/door.txt" >>"$tmp/results.txt"

echo "bench: pattern actors"
"$bin/pattern_bench" >"$tmp/pattern.txt"
keys pattern "$tmp/pattern.txt" >>"$tmp/results.txt"

echo "bench: reminder delivery (fills the store first)"
stored=1000000
[ "$quick" = 1 ] && stored=200000
"$bin/reminder_delivery_bench" --stored="$stored" >"$tmp/delivery.txt"
keys reminder_delivery "$tmp/delivery.txt" >>"$tmp/results.txt"

echo "bench: reminder store (SQLite, then PostgreSQL on a server of its own)"
"$bin/reminder_store_bench" --store=postgres >"$tmp/store.txt"
keys reminder_store "$tmp/store.txt" >>"$tmp/results.txt"

cp "$tmp/results.txt" "$tmp/timer_start.dat" "$tmp/lateness.dat" "$out/"
gnuplot -e "dir='$out'" "$root/scripts/plots.gp"
echo "bench: results in docs/perf/results.txt, plots in docs/perf/*.svg"
