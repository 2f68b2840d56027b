#!/usr/bin/env bash
# Chaos run of a three-node cluster on a throwaway PostgreSQL server: seeds
# periodic reminders (every missed tick caught up), runs nodes n1 to n3
# (n3 reaches the server through a TCP proxy), then: kill -9 of n2; SIGSTOP
# of n3 for longer than a lease; n3's database connection frozen (proxy
# stopped) for longer than a lease, then cut (proxy killed, started again
# seconds later); n4 joining and n1 leaving under load.
# tests/cluster/check_chaos.awk then reads every node's log and proves: no
# reminder tick lost, never early, no two activations of one actor at once,
# duplicates only around failures.
# Usage: chaos.sh <cluster binary> <work dir> <tcp_proxy binary>
# (HORAE_TESTKIT_POSTGRES names the file with the server's connection
# string)
set -euo pipefail
bin="$1"
work="$2"
proxy_bin="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
server="$(cat "${HORAE_TESTKIT_POSTGRES:?names the file with the server}")"
rm -rf "$work"
mkdir -p "$work"
schema="chaos_$$"
psql "$server" -qAtc "CREATE SCHEMA $schema"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill -CONT "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  done
  psql "$server" -qAtc "SET client_min_messages = warning; DROP SCHEMA \
$schema CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
db="$server options='-c search_path=$schema'"
ttl_ms=2000
opts=(--horae.cluster.partitions=32
      --horae.cluster.lease-ttl=${ttl_ms}ms --horae.cluster.renew-interval=500ms
      --horae.reminders.lookahead=5s --horae.reminders.max-delivery-rate=100000
      --horae.log.level=warn)
now_ns() { date +%s%N; }
event() { echo "$1 $(now_ns)" >>"$work/events"; }

"$bin" "${opts[@]}" --horae.cluster.db="$db" --seed=100 --period=1s

# The proxy in front of the server for n3: stopped, it freezes n3's
# connections; killed, it cuts them; started again on its port, it heals.
server_port="$(sed -n 's/.*port=\([0-9]*\).*/\1/p' <<<"$server")"
proxy_port=0
start_proxy() {
  "$proxy_bin" "$server_port" "$proxy_port" >"$work/proxy.port" &
  proxy_pid=$!
  pids+=($!)
  for _ in $(seq 1 100); do
    [ -s "$work/proxy.port" ] && break
    sleep 0.05
  done
  proxy_port="$(cat "$work/proxy.port")"
  [ -n "$proxy_port" ] || { echo "the proxy did not start" >&2; exit 1; }
}
start_proxy

declare -A pid_of
# start_node <id> <connection string>
start_node() {
  "$bin" "${opts[@]}" --horae.cluster.db="$2" --horae.cluster.node-id="$1" \
    >"$work/$1.log" 2>&1 &
  pid_of[$1]=$!
  pids+=($!)
  event "start $1"
}
start_node n1 "$db"
start_node n2 "$db"
start_node n3 "$db host=127.0.0.1 port=$proxy_port"
sleep 8
event "kill n2"
kill -KILL "${pid_of[n2]}"
sleep 8
event "stop n3"
kill -STOP "${pid_of[n3]}"
sleep 5
kill -CONT "${pid_of[n3]}"
event "cont n3"
sleep 8
event "freeze n3"
kill -STOP "$proxy_pid"
sleep 5
kill -CONT "$proxy_pid"
event "thaw n3"
sleep 8
event "cut n3"
kill -KILL "$proxy_pid"
wait "$proxy_pid" 2>/dev/null || true
sleep 4
start_proxy
event "heal n3"
sleep 8
start_node n4 "$db"
sleep 6
event "leave n1"
kill -TERM "${pid_of[n1]}"
wait "${pid_of[n1]}" || true
sleep 6
event "end"
kill -TERM "${pid_of[n3]}" "${pid_of[n4]}"
wait "${pid_of[n3]}" "${pid_of[n4]}" || true
# The counts also stay in the work folder; scripts/test.sh prints them.
awk -v ttl_ms="$ttl_ms" -f "$here/check_chaos.awk" "$work/events" \
  "$work"/n*.log | tee "$work/counts"
