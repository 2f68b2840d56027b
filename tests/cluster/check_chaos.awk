# Checks a chaos run (tests/cluster/chaos.sh): reads the events file, then
# every node's log, prints the counts as key=value lines and exits 1 if a
# guarantee broke. Times are wall-clock nanoseconds; reminders tick every
# second and catch up every missed tick, so each actor's counts must run
# 1, 2, 3, ... without a gap.
#
# Faults, as the events file names them (node n2 is killed, n3 stopped and
# its database connection frozen then cut, n1 leaves):
#   kill n2 | stop n3, cont n3 | freeze n3, thaw n3 | cut n3, heal n3 |
#   leave n1 | end
function kv(name,    i, parts) {
  for (i = 2; i <= NF; ++i) {
    split($i, parts, "=")
    if (parts[1] == name)
      return parts[2]
  }
  return ""
}
# The fault `node` was under at time `t`, give or take the seconds a fire
# in flight needs to be recorded; "" for none.
function fault_of(node, t) {
  if (node == "n2" && t >= t_kill - 3e9) return "kill"
  if (node != "n3") return ""
  if (t >= t_stop - 3e9 && t <= t_cont + 3e9) return "stop"
  if (t >= t_freeze - 3e9 && t <= t_thaw + 3e9) return "db_freeze"
  if (t >= t_cut - 3e9 && t <= t_heal + 3e9) return "db_cut"
  return ""
}
# The end of an activation span as the checker counts it. A killed node's
# activations end with it; a stopped one's stop with it (what it handles
# after SIGCONT are fires in flight, counted apart). A node whose database
# connection froze or was cut runs on: its spans count as they are.
function cut_end(node, start, end) {
  if (node == "n2" && end > t_kill) end = t_kill
  if (node == "n3" && start < t_stop && end > t_stop) end = t_stop
  if (node == "n1" && t_leave > 0 && end > t_leave) end = t_leave
  if (end > t_end) end = t_end
  return end
}
FILENAME ~ /events$/ {
  if ($1 == "end") t_end = $2
  else if ($1 == "kill") t_kill = $3
  else if ($1 == "stop") t_stop = $3
  else if ($1 == "cont") t_cont = $3
  else if ($1 == "freeze") t_freeze = $3
  else if ($1 == "thaw") t_thaw = $3
  else if ($1 == "cut") t_cut = $3
  else if ($1 == "heal") t_heal = $3
  else if ($1 == "leave") t_leave = $3
  next
}
/^fire / {
  actor = kv("actor"); count = kv("count") + 0; node = kv("node")
  sched = kv("scheduled") + 0; actual = kv("actual") + 0
  ++fires
  if (actual < sched) ++early
  f_actor[fires] = actor; f_node[fires] = node; f_actual[fires] = actual
  key = actor SUBSEP count
  if (++seen[key] == 2) {
    ++duplicates
    # A duplicate is explained by a failure when either copy came from a
    # node under a fault at the time.
    cause = fault_of(by[key], at[key])
    if (cause == "") cause = fault_of(node, actual)
    if (cause != "") {
      ++explained
      ++duplicates_of[cause]
    }
  }
  by[key] = node; at[key] = actual
  if (count > top[actor]) top[actor] = count
  got[key] = 1
  if (count == 1) anchor[actor] = sched
  next
}
/^activate / {
  actor = kv("actor"); node = kv("node")
  n = ++spans[actor]
  span_node[actor, n] = node; span_start[actor, n] = kv("t") + 0
  span_end[actor, n] = 9e18
  open_span[actor, node] = n
  next
}
/^deactivate / {
  actor = kv("actor"); node = kv("node")
  if ((actor, node) in open_span) {
    span_end[actor, open_span[actor, node]] = kv("t") + 0
    delete open_span[actor, node]
  }
  next
}
# Failover of fault `name` on `node` at `fault_t`: for every actor that
# node fired in the `since` ns before, the time from the fault to its first
# fire on another node. Prints p50 and max in ms; @returns the max.
function failover(name, node, fault_t, since,    i, a, was, after, n, xs, j, v) {
  for (i = 1; i <= fires; ++i)
    if (f_node[i] == node && f_actual[i] <= fault_t && \
        f_actual[i] >= fault_t - since)
      was[f_actor[i]] = 1
  for (i = 1; i <= fires; ++i) {
    a = f_actor[i]
    if (f_node[i] != node && f_actual[i] > fault_t && (a in was) && \
        (!(a in after) || f_actual[i] < after[a]))
      after[a] = f_actual[i]
  }
  n = 0
  for (a in after) xs[++n] = (after[a] - fault_t) / 1e6
  for (i = 2; i <= n; ++i) {  # insertion sort, n is small
    v = xs[i]
    for (j = i - 1; j >= 1 && xs[j] > v; --j) xs[j + 1] = xs[j]
    xs[j + 1] = v
  }
  if (n == 0) {
    printf "%s_failover_ms_p50=none\n%s_failover_ms_max=none\n", name, name
    return 0
  }
  printf "%s_failover_ms_p50=%.0f\n", name, xs[int((n + 1) / 2)]
  printf "%s_failover_ms_max=%.0f\n", name, xs[n]
  return xs[n]
}
END {
  lost = 0; actors = 0; short = 0
  for (a in top) {
    ++actors
    for (c = 1; c <= top[a]; ++c)
      if (!((a SUBSEP c) in got)) ++lost
    # Every tick due up to a few seconds before the end was delivered.
    expected = int((t_end - anchor[a]) / 1e9) - 4
    if (top[a] < expected) ++short
  }
  overlaps = 0
  for (a in spans)
    for (i = 1; i <= spans[a]; ++i)
      for (j = i + 1; j <= spans[a]; ++j) {
        if (span_node[a, i] == span_node[a, j]) continue
        s1 = span_start[a, i]; e1 = cut_end(span_node[a, i], s1, span_end[a, i])
        s2 = span_start[a, j]; e2 = cut_end(span_node[a, j], s2, span_end[a, j])
        if (s1 < e2 && s2 < e1) {
          ++overlaps
          if (overlaps <= 5)
            printf "overlap: %s on %s and %s\n", a, span_node[a, i], span_node[a, j]
        }
      }
  printf "actors=%d\nfires=%d\nlost=%d\nbehind=%d\nearly=%d\n", actors, fires, lost, short, early
  printf "duplicates=%d\nduplicates_explained_by_failures=%d\noverlapping_activations=%d\n", duplicates, explained, overlaps
  printf "duplicates_kill=%d\nduplicates_stop=%d\n", duplicates_of["kill"], duplicates_of["stop"]
  printf "duplicates_db_freeze=%d\nduplicates_db_cut=%d\n", duplicates_of["db_freeze"], duplicates_of["db_cut"]
  kill_max = failover("kill", "n2", t_kill, 3e9)
  failover("stop", "n3", t_stop, 3e9)
  freeze_max = failover("db_freeze", "n3", t_freeze, 3e9)
  cut_max = failover("db_cut", "n3", t_cut, 3e9)
  bad = actors == 0 || lost > 0 || short > 0 || early > 0 || overlaps > 0 || \
        duplicates > explained
  # Failover within lease TTL + renew interval + generous slack.
  limit = ttl_ms + 500 + 5000
  if (kill_max > limit || freeze_max > limit || cut_max > limit) bad = 1
  exit bad ? 1 : 0
}
