# Checks a chaos run (tests/cluster/chaos.sh): reads the events file, then
# every node's log, prints the counts as key=value lines and exits 1 if a
# guarantee broke. Times are wall-clock nanoseconds; reminders tick every
# second and catch up every missed tick, so each actor's counts must run
# 1, 2, 3, ... without a gap.
function kv(name,    i, parts) {
  for (i = 2; i <= NF; ++i) {
    split($i, parts, "=")
    if (parts[1] == name)
      return parts[2]
  }
  return ""
}
function cut_end(node, start, end) {
  # A killed node's activations end with it; a stopped one's stop with it
  # (what it handles after SIGCONT are fires in flight, counted apart).
  if (node == "n2" && end > t_kill) end = t_kill
  if (node == "n3" && start < t_stop && end > t_stop) end = t_stop
  if (node == "n1" && end > t_leave) end = t_leave
  if (end > t_end) end = t_end
  return end
}
FILENAME ~ /events$/ {
  if ($1 == "end") t_end = $2
  else if ($1 == "kill") t_kill = $3
  else if ($1 == "stop") t_stop = $3
  else if ($1 == "cont") t_cont = $3
  else if ($1 == "leave") t_leave = $3
  next
}
/^fire / {
  actor = kv("actor"); count = kv("count") + 0; node = kv("node")
  sched = kv("scheduled") + 0; actual = kv("actual") + 0
  ++fires
  if (actual < sched) ++early
  key = actor SUBSEP count
  if (++seen[key] == 2) {
    ++duplicates
    # A duplicate is explained by a failure when one copy came from the
    # killed node before its kill, or the stopped node around its stop.
    if (by[key] == "n2" || node == "n2" || \
        ((by[key] == "n3" || node == "n3") && \
         actual >= t_stop - 3e9 && actual <= t_cont + 3e9))
      ++explained
  }
  by[key] = node
  if (count > top[actor]) top[actor] = count
  got[key] = 1
  if (count == 1) anchor[actor] = sched
  if (node == "n2" && actual <= t_kill) was_n2[actor] = 1
  # The earliest fire elsewhere after the fault (logs come node by node).
  if (node != "n2" && actual > t_kill && \
      (!(actor in after_kill) || actual < after_kill[actor]))
    after_kill[actor] = actual
  if (node == "n3" && actual <= t_stop) was_n3[actor] = 1
  if (node != "n3" && actual > t_stop && \
      (!(actor in after_stop) || actual < after_stop[actor]))
    after_stop[actor] = actual
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
function report(name, arr, base,    n, i, j, t, xs) {
  n = 0
  for (a in arr) xs[++n] = (arr[a] - base) / 1e6
  for (i = 2; i <= n; ++i) {  # insertion sort, n is small
    t = xs[i]
    for (j = i - 1; j >= 1 && xs[j] > t; --j) xs[j + 1] = xs[j]
    xs[j + 1] = t
  }
  if (n == 0) { printf "%s_failover_ms_p50=0\n%s_failover_ms_max=0\n", name, name; return 0 }
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
  for (a in after_kill) if (!(a in was_n2)) delete after_kill[a]
  for (a in after_stop) if (!(a in was_n3)) delete after_stop[a]
  printf "actors=%d\nfires=%d\nlost=%d\nbehind=%d\nearly=%d\n", actors, fires, lost, short, early
  printf "duplicates=%d\nduplicates_explained_by_failures=%d\noverlapping_activations=%d\n", duplicates, explained, overlaps
  kill_max = report("kill", after_kill, t_kill)
  stop_max = report("stop", after_stop, t_stop)
  bad = actors == 0 || lost > 0 || short > 0 || early > 0 || overlaps > 0 || \
        duplicates > explained
  # Failover within lease TTL + renew interval + generous slack.
  if (kill_max > ttl_ms + 500 + 5000) bad = 1
  exit bad ? 1 : 0
}
