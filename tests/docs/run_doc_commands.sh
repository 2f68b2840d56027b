#!/usr/bin/env bash
# Runs the commands the documentation shows, against this build, and checks
# the output lines the documentation states, so that docs and behaviour stay
# in step.
#
# In docs/*.md, README.md and examples/*/README.md, a fenced block
#
#   ```sh doc-test            (or "sh doc-test exit=2" for a failing command)
#   build/bin/hello --version
#   ```
#
# is run with bash from the source folder, `build/` standing for this build
# folder. If the next block is a ```text block, each of its lines must
# appear in the commands' output (standard output and error together). The
# exit status must be 0, or the one given with exit=.
#
# Every other ```sh block must be listed in `skipped` below with the reason:
# a new command in the docs is either tested or consciously left out.
#
# usage: run_doc_commands.sh <source dir> <build dir>
set -uo pipefail

src="$(cd "$1" && pwd)"
build="$(cd "$2" && pwd)"
cd "$src"

# "<file>|<first line of the block>|<why it does not run here>"
skipped=(
  "README.md|./scripts/run.sh|sets up and builds, then runs the reminders example for 12 s"
  "README.md|./scripts/test.sh|runs the whole test suite, this test included"
  "docs/getting-started.md|./scripts/setup.sh        # install missing packages only|installs packages and builds; tests/scripts checks setup.sh"
  "docs/getting-started.md|./build/bin/timers --config=config/timers_example.ini --duration=5500ms|5.5 s and more; the examples.* tests run these examples"
  "docs/getting-started.md|./build/bin/first_timer --horae.log.level=debug --horae.timers.resolution=5ms|first_timer is the program the reader writes"
  "docs/configuration.md|build/bin/reminders --config=config/reminders_example.ini \\|12 s, and writes /tmp/billing.db; examples.reminders_survive_sigkill runs it"
  "docs/metrics.md|curl -s http://127.0.0.1:9464/metrics|needs a running endpoint; facets.Metrics.ScrapedOverHttpWhileRemindersFire scrapes it"
  "docs/reminders.md|build/bin/horae-reminders backup --db=horae-reminders.db /backups/reminders-\$(date +%F).db|needs a live database and /backups; tools.* tests cover backup"
  "docs/reminders.md|build/bin/horae-reminders list --db=horae-reminders.db [<type> [<key>]] [--limit=N] [--overdue]|a synopsis with placeholders"
  "docs/reminders.md|build/bin/reminders --db=postgresql://\$USER@localhost/horae --duration=20s|needs the reader's PostgreSQL server; examples.reminders_survive_sigkill_on_postgres runs the example on one"
  "examples/backoff/README.md|./build/bin/backoff --base=200ms --cap=1s --max-attempts=8 --failures=6|about 4 s of backoff"
  "examples/pattern_flow/README.md|cmake --build build -j2 --target pattern_flow|builds"
  "examples/pattern_jobs/README.md|cmake --build build -j2 --target pattern_jobs|builds"
  "examples/reminders/README.md|build/bin/reminders --config=config/reminders_example.ini --db=/tmp/billing.db --duration=20s|20 s, and writes /tmp/billing.db; examples.reminders_survive_sigkill runs it"
  "examples/reminders/README.md|build/bin/reminders --config=config/reminders_example.ini --db=postgresql://\$USER@localhost/horae|needs the reader's PostgreSQL server; examples.reminders_survive_sigkill_on_postgres runs the example on one"
  "examples/cluster/README.md|DB=postgresql://\$USER@localhost/horae|needs the reader's PostgreSQL server; cluster.chaos_three_nodes runs these steps on a throwaway one"
  "examples/stop_reset/README.md|./build/bin/stop_reset --debounce=500ms --gap=200ms --text=\"actors are fun\"|about 5 s; the plain run covers the same code"
  "examples/ticker_vs_timer/README.md|./build/bin/ticker_vs_timer --interval=500ms|about 8 s"
  "examples/timeouts/README.md|./build/bin/timeouts --timeout=300ms --fast=100ms --slow=2s|about 4 s; the plain run covers the same code"
  "examples/timers/README.md|./scripts/build.sh|builds, then runs for 6 s; examples.timers_counts runs it"
)

failures=0
ran=0

fail() {
  echo "FAIL $*" >&2
  failures=$((failures + 1))
}

is_skipped() {
  local entry
  for entry in "${skipped[@]}"; do
    [ "${entry%%|*}" = "$1" ] || continue
    local rest="${entry#*|}"
    [ "${rest%%|*}" = "$2" ] && return 0
  done
  return 1
}

# Runs one doc-test block: $1 file, $2 commands, $3 expected status, $4
# expected lines.
run_block() {
  local file="$1" commands="$2" status="$3" expected="$4"
  local script out rc
  # `build/` and `./build/` at the start of a command mean this build.
  script="$(sed -E "s#^(\./)?build/#$build/#" <<< "$commands")"
  out="$(timeout 30 bash -c "$script" 2>&1)"
  rc=$?
  ran=$((ran + 1))
  local first="${commands%%$'\n'*}"
  if [ "$rc" -ne "$status" ]; then
    fail "$file: '$first' exited with $rc, the docs say $status; output:"
    echo "$out" >&2
    return
  fi
  local line before="$failures"
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    if ! grep -qF -- "$line" <<< "$out"; then
      fail "$file: '$first' did not print: $line"
      echo "--- its output:" >&2
      echo "$out" >&2
    fi
  done <<< "$expected"
  [ "$failures" -eq "$before" ] && echo "ok   $file: $first"
}

# Reads the fenced blocks of one file and runs or checks each sh block.
check_file() {
  local file="$1"
  local in_block="" info="" body="" pending="" pending_status=0
  local line
  while IFS= read -r line || [ -n "$line" ]; do
    if [ -z "$in_block" ]; then
      if [[ "$line" == '```'* ]]; then
        in_block=1
        info="${line#\`\`\`}"
        body=""
      elif [ -n "$pending" ] && [ -n "${line// /}" ]; then
        # Prose after a doc-test block: it states no output.
        run_block "$file" "$pending" "$pending_status" ""
        pending=""
      fi
      continue
    fi
    if [[ "$line" != '```' ]]; then
      body+="$line"$'\n'
      continue
    fi
    in_block=""
    if [ -n "$pending" ]; then
      local expected=""
      [ "$info" = "text" ] && expected="$body"
      run_block "$file" "$pending" "$pending_status" "$expected"
      pending=""
      [ "$info" = "text" ] && continue
    fi
    case "$info" in
      "sh doc-test"*)
        pending="$body"
        pending_status=0
        if [[ "$info" =~ exit=([0-9]+) ]]; then
          pending_status="${BASH_REMATCH[1]}"
        fi
        ;;
      sh)
        local first="${body%%$'\n'*}"
        is_skipped "$file" "$first" \
          || fail "$file: command block '$first' is neither marked" \
                  "doc-test nor listed in tests/docs/run_doc_commands.sh"
        ;;
    esac
  done < "$file"
  [ -n "$pending" ] && run_block "$file" "$pending" "$pending_status" ""
}

for file in README.md docs/*.md examples/*/README.md; do
  check_file "$file"
done

echo "$ran documented commands run, $failures failures"
[ "$failures" -eq 0 ] && [ "$ran" -gt 0 ]
