# Sourced by the cluster benchmark scripts: makes a work folder with a
# throwaway PostgreSQL server in it (tests/support/pg_throwaway.sh) and
# removes both on exit, after killing every process listed in `pids`.
# Sets `work`, `state`, `server` (its connection string) and `pids`.
# Usage: . throwaway_server.sh <name>   (HORAE_PG_DURABLE=1 before it for
# the server's durable defaults)
bench_support="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d -t "horae-$1.XXXXXX")"
state="$work/server"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  "$bench_support/../../support/pg_throwaway.sh" stop "$state" \
    >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$bench_support/../../support/pg_throwaway.sh" start "$state"
server="$(cat "$state/conninfo")"
