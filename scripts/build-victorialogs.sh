#!/usr/bin/env bash
# Builds VictoriaLogs (Apache-2.0) from its Go module at a pinned version into
# the cache, once: $APIFW_CACHE/victorialogs/<version>/victoria-logs. Prints
# the binary's path. The scale-out tests and `APIFW_STORE=victorialogs npm
# start` use it (APIFW_VICTORIALOGS points the Go tests at it).
source "$(dirname "$0")/lib.sh"
VL_VERSION="${VL_VERSION:-v1.52.2}"
dir="$APIFW_CACHE/victorialogs/$VL_VERSION"
bin="$dir/victoria-logs"
if [[ ! -x "$bin" ]]; then
  say "building VictoriaLogs $VL_VERSION (once, cached in $dir)"
  mkdir -p "$dir"
  (cd /tmp && GOBIN="$dir" GOFLAGS=-mod=mod go install "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$VL_VERSION")
fi
echo "$bin"
