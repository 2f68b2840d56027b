# Draws docs/perf/*.svg from the data scripts/bench.sh leaves in `dir`.
set terminal svg size 720,440 dynamic font "sans,12"
set grid
set key top left

set output dir."/timer_start.svg"
set title "Starting one-shot timers from actors (median of 3 rounds)"
set xlabel "timers started (and pending)"
set ylabel "ns per start"
set logscale xy
plot dir."/timer_start.dat" using 1:2 with linespoints title "horae TimerFacet start_once", \
     "" using 1:3 with linespoints title "horae timer_service::schedule", \
     "" using 1:4 with linespoints title "CAF delayed_send"

set output dir."/lateness.svg"
set title "Fire lateness at 100,000 fires/s, default configuration"
set xlabel "quantile"
set ylabel "lateness (us), due time to handler"
unset logscale x
set logscale y
set key top left
plot dir."/lateness.dat" using 1:2 with lines lw 2 title "horae TimerFacet", \
     "" using 1:3 with lines lw 2 title "CAF delayed_send"
