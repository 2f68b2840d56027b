#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server for the tests:
#   pg_throwaway.sh start STATE_DIR   # prints nothing; writes STATE_DIR/conninfo
#   pg_throwaway.sh stop STATE_DIR    # stops the server and removes its files
#   pg_throwaway.sh halt STATE_DIR    # stops the server, keeping its data
#   pg_throwaway.sh resume STATE_DIR  # starts a halted server on its port
#   pg_throwaway.sh pids STATE_DIR    # prints the server's process ids
# The server lives in its own temporary folder, listens on 127.0.0.1 only, on
# a free port, with its socket in that folder, and never touches the
# machine's own clusters. Run as root, the server runs as the `postgres`
# user (initdb refuses root); otherwise as the calling user.
set -euo pipefail

action="${1:-}"
state="${2:-}"
if [ -z "$action" ] || [ -z "$state" ]; then
  echo "usage: $0 start|stop|halt|resume|pids STATE_DIR" >&2
  exit 2
fi

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    echo "pg_throwaway: no PostgreSQL server found under /usr/lib/postgresql;" \
      "run scripts/setup.sh (it installs the postgresql package)" >&2
    exit 1
  fi
  echo "$dir"
}

# Runs a command as the server's user.
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The store is under test, not the server's durability: skipping the
# flushes keeps the tests fast on a busy machine. Benchmarks set
# HORAE_PG_DURABLE=1 to measure with the server's durable defaults.
if [ "${HORAE_PG_DURABLE:-0}" = 1 ]; then
  durability=""
else
  durability="-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
fi

# Starts the server in $folder on $1; fails if the port is taken.
start_on_port() {
  as_server_user "$(pg_bin)/pg_ctl" -D "$folder/data" -l "$folder/server.log" \
    -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $1 -k $folder \
    $durability -c max_connections=200" start >/dev/null 2>&1
}

stop_server() {
  local folder
  [ -f "$state/folder" ] || return 0
  folder="$(cat "$state/folder")"
  if [ -d "$folder/data" ]; then
    as_server_user "$(pg_bin)/pg_ctl" -D "$folder/data" -m immediate -w \
      -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$folder"
  rm -f "$state/folder" "$state/conninfo" "$state/port"
}

case "$action" in
  stop)
    stop_server
    ;;
  start)
    mkdir -p "$state"
    # A server left behind by an interrupted run goes first.
    stop_server
    bin="$(pg_bin)"
    folder="$(mktemp -d -t horae-pg.XXXXXX)"
    echo "$folder" >"$state/folder"
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$folder"
    fi
    chmod 700 "$folder"
    if ! as_server_user "$bin/initdb" -D "$folder/data" -U postgres -A trust \
      -E UTF8 --locale=C.UTF-8 --no-sync >"$folder/initdb.log" 2>&1; then
      cat "$folder/initdb.log" >&2
      exit 1
    fi
    # One role must give a password, so that the tests can see a failed
    # authentication; everyone else is trusted.
    hba="$folder/data/pg_hba.conf"
    as_server_user sh -c "{ echo 'host all horae_auth_test 127.0.0.1/32 \
scram-sha-256'; cat '$hba'; } > '$hba.new' && mv '$hba.new' '$hba'"
    started=""
    for _ in $(seq 1 20); do
      port=$((20000 + RANDOM % 40000))
      if start_on_port "$port"; then
        started="$port"
        break
      fi
    done
    if [ -z "$started" ]; then
      echo "pg_throwaway: the server did not start; its log:" >&2
      cat "$folder/server.log" >&2 || true
      exit 1
    fi
    echo "$started" >"$state/port"
    echo "host=127.0.0.1 port=$started user=postgres dbname=postgres" \
      >"$state/conninfo"
    ;;
  halt)
    folder="$(cat "$state/folder")"
    as_server_user "$(pg_bin)/pg_ctl" -D "$folder/data" -m fast -w -t 60 \
      stop >/dev/null
    ;;
  resume)
    folder="$(cat "$state/folder")"
    start_on_port "$(cat "$state/port")"
    ;;
  pids)
    folder="$(cat "$state/folder")"
    main="$(head -1 "$folder/data/postmaster.pid")"
    children="$(grep -l "^PPid:[[:space:]]*$main\$" /proc/[0-9]*/status \
      2>/dev/null | cut -d/ -f3 || true)"
    echo "$main" $children
    ;;
  *)
    echo "usage: $0 start|stop|halt|resume|pids STATE_DIR" >&2
    exit 2
    ;;
esac
