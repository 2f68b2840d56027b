#!/usr/bin/env bash
# Failover time of a three-node cluster at given lease settings (by default
# the defaults: TTL 10 s, renew 2 s): 100 reminders tick every second on
# nodes n1 to n3, n2 is killed with kill -9, and the time from the kill to
# the first fire on another node of each actor n2 was firing is read from
# the nodes' logs (tests/cluster/check_chaos.awk, which also checks that no
# tick was lost, none early and no activations overlapped).
# Usage: cluster_failover_bench.sh <cluster binary> [ttl_ms] [renew_ms]
# Prints key=value lines, among them kill_failover_ms_p50= and _max=.
set -euo pipefail
bin="$1"
ttl_ms="${2:-10000}"
renew_ms="${3:-2000}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=support/throwaway_server.sh
. "$here/support/throwaway_server.sh" failover-bench
db="$server"
# Every other setting is the default (256 partitions, the default
# lookahead); warnings only, so the logs hold the event lines.
opts=(--horae.cluster.db="$db" --horae.cluster.lease-ttl=${ttl_ms}ms
      --horae.cluster.renew-interval=${renew_ms}ms --horae.log.level=warn)
event() { echo "$1 $(date +%s%N)" >>"$work/events"; }

"$bin" "${opts[@]}" --seed=100 --period=1s
declare -A pid_of
for node in n1 n2 n3; do
  "$bin" "${opts[@]}" --horae.cluster.node-id="$node" >"$work/$node.log" 2>&1 &
  pid_of[$node]=$!
  pids+=($!)
done
# Settled: every node has joined and holds its share.
sleep $((2 + 3 * renew_ms / 1000 + 3))
event "kill n2"
kill -KILL "${pid_of[n2]}"
sleep $((ttl_ms / 1000 + renew_ms / 1000 + 5))
event "end"
kill -TERM "${pid_of[n1]}" "${pid_of[n3]}"
wait "${pid_of[n1]}" "${pid_of[n3]}" || true
echo "lease_ttl_ms=$ttl_ms"
echo "renew_interval_ms=$renew_ms"
awk -v ttl_ms="$ttl_ms" -f "$here/../cluster/check_chaos.awk" "$work/events" \
  "$work"/n*.log | grep -E '^(actors|lost|early|overlapping|duplicates|kill_)'
