# CPU read from /proc, for the benches that print what a webhook or an event costs: clock ticks
# (1/100 s) of every postgres process alive when read (the pool's connections live through a
# measured pass), and of one process. Sourced by bench/dispatch and bench/triggered.
postgres_ticks() { cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 ~ /postgres/ {s += $14 + $15} END {print s}'; }
process_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
