#!/usr/bin/env bash
# Smoke test of the timers example: runs it for a fixed duration and checks
# how many fires of each timer it printed.
# usage: check_counts.sh <timers-binary> <config.ini> <duration> \
#                        <heartbeats> <polls> <cleanups>
# Periodic counts may be off by one: on a loaded machine a tick can be
# coalesced into the next fire (one line, two ticks), and a tick due right at
# the deadline is the first to go. The one-shot cleanup must fire exactly once.
set -uo pipefail

if [ "$#" -ne 6 ]; then
  echo "usage: $0 <binary> <config> <duration> <heartbeats> <polls> <cleanups>" >&2
  exit 2
fi
binary=$1 config=$2 duration=$3
want_heartbeat=$4 want_poll=$5 want_cleanup=$6

# The guard keeps a hanging example from hanging ctest.
output=$(timeout 60 "$binary" --config="$config" --duration="$duration")
status=$?
echo "$output"
if [ "$status" -ne 0 ]; then
  echo "FAIL: timers exited with status $status" >&2
  exit 1
fi

count() {
  grep -c "^timer_fired name=$1 seq=" <<<"$output"
}

failed=0
check() { # name got want slack
  local name=$1 got=$2 want=$3 slack=$4
  local diff=$((got - want))
  if [ "${diff#-}" -gt "$slack" ]; then
    echo "FAIL: $name fired $got times, expected $want (±$slack)" >&2
    failed=1
  else
    echo "ok: $name fired $got times (expected $want ±$slack)"
  fi
}
check heartbeat "$(count heartbeat)" "$want_heartbeat" 1
check poll "$(count poll)" "$want_poll" 1
check cleanup "$(count cleanup)" "$want_cleanup" 0

if ! grep -q "^summary " <<<"$output"; then
  echo "FAIL: no summary line; the example did not stop by itself" >&2
  failed=1
fi
exit "$failed"
