#!/usr/bin/env bash
# Builds the data source backend into dist/datasource/, named as Grafana
# expects: <executable>_<os>_<arch>[.exe]. By default for this machine only;
# `--all` builds every platform Grafana runs plugins on (for the package).
set -euo pipefail
cd "$(dirname "$0")/.."
exe="$(sed -n 's/.*"executable": *"\([^"]*\)".*/\1/p' src/datasource/plugin.json)"
out="dist/datasource"
mkdir -p "$out"
platforms=("$(go env GOOS)/$(go env GOARCH)")
if [[ "${1:-}" == "--all" ]]; then
  platforms=(linux/amd64 linux/arm64 linux/arm darwin/amd64 darwin/arm64 windows/amd64)
fi
version="$(node -p "require('./package.json').version" 2>/dev/null || echo dev)"
for p in "${platforms[@]}"; do
  os="${p%/*}" arch="${p#*/}" suffix=""
  [[ "$os" == windows ]] && suffix=".exe"
  CGO_ENABLED=0 GOOS="$os" GOARCH="$arch" go build -trimpath \
    -ldflags "-s -w -X main.version=$version" \
    -o "$out/${exe}_${os}_${arch}${suffix}" ./pkg
  echo "built $out/${exe}_${os}_${arch}${suffix}"
done
