# Sourced by run.sh and load.sh: where a profile's generated roots live, and
# reading them once so that a load times the page cache, not the disk.

# bench_root PROFILE SEED PER_ROOT: the root of one generated data set.
bench_root() {
  local prefix=""
  [ "$1" = realistic ] && prefix="realistic-"
  echo "$cache/bench/$( [ "$3" = 1000000 ] && echo 1m || echo "$3" )-${prefix}seed$2"
}

# warm ROOT...: reads every file of the roots (this machine's memory reclaim
# drops cold file pages).
warm() { find "$@" -type f -exec cat {} + > /dev/null; }
