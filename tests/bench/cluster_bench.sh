#!/usr/bin/env bash
# Reminder fires per second of one and three cluster nodes on PostgreSQL,
# beside one standalone runtime on SQLite, in the same run: each
# configuration drains N one-shot reminders that fall due together, and the
# rate is N over the time from the first fire to the last (from the nodes'
# logs). The server runs with its durable defaults.
# Usage: cluster_bench.sh <cluster binary> [N]   (default 50000)
# Prints key=value lines: sqlite_1_node_fires_per_s=, postgres_1_node_...,
# postgres_3_nodes_..., postgres_3_vs_1_nodes=.
set -euo pipefail
bin="$1"
n="${2:-50000}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export HORAE_PG_DURABLE=1
# shellcheck source=support/throwaway_server.sh
. "$here/support/throwaway_server.sh" cluster-bench
common=(--horae.reminders.max-delivery-rate=1000000
        --horae.reminders.max-window=100000 --horae.log.level=warn)

# Rate of the fire lines in logs $@: N over first-to-last fire time.
rate() {
  awk '/^fire / { for (i = 2; i <= NF; ++i) { split($i, kv, "=");
         if (kv[1] == "actual") { t = kv[2] + 0;
           if (first == 0 || t < first) first = t; if (t > last) last = t } }
         ++fires }
       END { if (fires == 0 || last == first) print 0;
             else printf "%.0f\n", fires / ((last - first) / 1e9) }' "$@"
}

# Waits until the logs $@ hold N fire lines (at most 10 minutes).
await_fires() {
  for _ in $(seq 1 3000); do
    if [ "$(cat "$@" | grep -c '^fire ' || true)" -ge "$n" ]; then return 0; fi
    sleep 0.2
  done
  echo "cluster_bench: only $(cat "$@" | grep -c '^fire ') of $n fires" >&2
  return 1
}

run_nodes() { # $1: label, $2: node count
  local label="$1" count="$2" schema="bench_$1"
  psql "$server" -qAtc "CREATE SCHEMA $schema"
  local db="$server options='-c search_path=$schema'"
  local opts=("${common[@]}" --horae.cluster.db="$db")
  "$bin" "${opts[@]}" --seed="$n" --once >/dev/null
  local logs=()
  for i in $(seq 1 "$count"); do
    "$bin" "${opts[@]}" --horae.cluster.node-id="n$i" >"$work/$label-n$i.log" 2>&1 &
    pids+=($!)
    logs+=("$work/$label-n$i.log")
  done
  await_fires "${logs[@]}"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
  pids=()
  rate "${logs[@]}"
}

db="$work/standalone.db"
"$bin" "${common[@]}" --standalone --horae.reminders.db="$db" --seed="$n" \
  --once >/dev/null
"$bin" "${common[@]}" --standalone --horae.reminders.db="$db" \
  >"$work/sqlite.log" 2>&1 &
pids+=($!)
await_fires "$work/sqlite.log"
kill -TERM "${pids[@]}"; wait || true; pids=()
sqlite_rate="$(rate "$work/sqlite.log")"
one="$(run_nodes one 1)"
three="$(run_nodes three 3)"
echo "reminders=$n"
echo "sqlite_1_node_fires_per_s=$sqlite_rate"
echo "postgres_1_node_fires_per_s=$one"
echo "postgres_3_nodes_fires_per_s=$three"
awk -v a="$three" -v b="$one" 'BEGIN { printf "postgres_3_vs_1_nodes=%.2f\n", (b > 0 ? a / b : 0) }'
