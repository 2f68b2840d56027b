#!/usr/bin/env bash
# Kills the reminders example with SIGKILL while it delivers, restarts it on
# the same database and checks that every periodic reminder continues: the
# first count after the restart is the last one seen (a fire that was in
# flight, delivered again) or the next one, never a restart from 1.
# Usage: check_kill_restart.sh <reminders binary> <config file> <work dir>
#        [sqlite|postgres]
# With postgres, the store is a new schema on the server whose connection
# string is in the file named by HORAE_TESTKIT_POSTGRES.
set -euo pipefail
bin="$1"
config="$2"
work="$3"
store="${4:-sqlite}"
rm -rf "$work"
mkdir -p "$work"
db="$work/kill.db"
if [ "$store" = postgres ]; then
  server="$(cat "${HORAE_TESTKIT_POSTGRES:?names the file with the server}")"
  schema="kill_restart_$$"
  psql "$server" -qAtc "CREATE SCHEMA $schema"
  trap 'psql "$server" -qAtc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1' EXIT
  db="$server options='-c search_path=$schema'"
fi

"$bin" --config="$config" --db="$db" --duration=120s > "$work/run1.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
  fired=$(grep -c '^reminder_fired' "$work/run1.log" || true)
  if [ "$fired" -ge 9 ]; then
    break
  fi
  sleep 0.1
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
echo "run 1: $(grep -c '^reminder_fired' "$work/run1.log") fires before SIGKILL"

"$bin" --config="$config" --db="$db" --duration=7s > "$work/run2.log" 2>&1
echo "run 2: $(grep -c '^reminder_fired' "$work/run2.log") fires after restart"

# Last count per reminder in run 1, first count per reminder in run 2.
last_counts() {
  awk '/^reminder_fired/ {
         split($2, n, "="); split($3, a, "="); split($4, c, "=");
         last[n[2] " " a[2]] = c[2] }
       END { for (k in last) print k, last[k] }' "$1" | sort
}
first_counts() {
  awk '/^reminder_fired/ {
         split($2, n, "="); split($3, a, "="); split($4, c, "=");
         k = n[2] " " a[2]; if (!(k in first)) first[k] = c[2] }
       END { for (k in first) print k, first[k] }' "$1" | sort
}
status=0
checked=0
while read -r name actor last; do
  case "$name" in bill|check) ;; *) continue ;; esac
  first=$(first_counts "$work/run2.log" | awk -v n="$name" -v a="$actor" \
            '$1 == n && $2 == a { print $3 }')
  if [ -z "$first" ]; then
    echo "FAIL: $name for $actor never fired after the restart"
    status=1
  elif [ "$first" -ne "$last" ] && [ "$first" -ne $((last + 1)) ]; then
    echo "FAIL: $name for $actor: last count $last before kill, $first after"
    status=1
  else
    echo "ok: $name for $actor: $last before kill, $first after"
  fi
  checked=$((checked + 1))
done < <(last_counts "$work/run1.log")
if [ "$checked" -eq 0 ]; then
  echo "FAIL: no periodic reminder fired before the kill"
  status=1
fi
exit "$status"
