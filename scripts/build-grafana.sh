#!/usr/bin/env bash
# Builds the Grafana server used by the tests from Grafana's Go modules, with
# the ordinary Go client, and caches it outside the repository, keyed by the
# pinned version. Prints the cache directory (holding bin/grafana and home/).
# Recipe and reasons: docs/grafana-from-source.md.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
wrapper="$repo/tools/grafana-server"
version="$(awk '$1 == "github.com/grafana/grafana" { print $2 }' "$wrapper/go.mod")"
cache_root="${APIFW_CACHE:-$HOME/.cache/apifw-monitor}"
dir="$cache_root/grafana/$version"
stamp="$dir/.built-$(cat "$wrapper/go.mod" "$wrapper/go.sum" "$repo/tools/wire/go.mod" "$0" | sha256sum | cut -c1-16)"

if [[ -x "$dir/bin/grafana" && -f "$stamp" ]]; then
  echo "$dir"
  exit 0
fi

log() { echo "build-grafana: $*" >&2; }
start=$(date +%s)
mkdir -p "$dir"
export GOFLAGS=-mod=mod
# Grafana's sources, as the module proxy serves them.
src_module="$(cd "$wrapper" && go mod download -json "github.com/grafana/grafana@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[[ -d "$src_module" ]] || { log "could not download github.com/grafana/grafana@$version"; exit 1; }

# The server's dependency-injection code (pkg/server/wire_gen.go) is generated
# by Grafana's build, not committed: generate it in a writable copy.
log "copying Grafana $version sources"
rm -rf "$dir/src" "$dir/bin"
cp -r "$src_module" "$dir/src"
chmod -R u+w "$dir/src"
log "generating wire code"
(cd "$repo/tools/wire" && go build -o "$dir/wire" github.com/google/wire/cmd/wire)
(cd "$dir/src" && "$dir/wire" gen -tags oss ./pkg/server >&2)

grafana_version="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$dir/src/package.json")"
log "compiling the server (several minutes on 2 cores when cold)"
rm -rf "$dir/wrapper"
cp -r "$wrapper" "$dir/wrapper"
(cd "$dir/wrapper" &&
  go mod edit -replace "github.com/grafana/grafana=$dir/src" &&
  go build -tags oss -trimpath \
    -ldflags "-X main.version=$grafana_version -X main.commit=${version##*-} -X main.buildBranch=main" \
    -o "$dir/bin/grafana" github.com/grafana/grafana/pkg/cmd/grafana >&2)

# The server's home: its conf/ (defaults.ini) and public/ (no web UI bundle).
mkdir -p "$dir/home"
ln -sfn "$dir/src/conf" "$dir/home/conf"
ln -sfn "$dir/src/public" "$dir/home/public"
rm -f "$dir"/.built-*
touch "$stamp"
log "built in $(( $(date +%s) - start ))s"
echo "$dir"
