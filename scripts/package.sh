#!/usr/bin/env bash
# `npm run package`: the installable plugin zip, with the backend for every
# platform Grafana runs plugins on. Output: artifacts/apifw-monitor-app-<version>.zip
source "$(dirname "$0")/lib.sh"
ensure_node_modules
say "building the plugin frontend"
npx webpack -c ./webpack.config.ts --env production --no-stats >/dev/null
say "building the backend for all platforms"
bash scripts/build-backend.sh --all
version="$(node -p "require('./package.json').version")"
mkdir -p artifacts
rm -rf artifacts/apifw-monitor-app artifacts/apifw-monitor-app-"$version".zip
cp -r dist artifacts/apifw-monitor-app
# python3 rather than zip(1): it is on every machine of this kind and keeps the
# executables' mode bits.
(cd artifacts && python3 -m zipfile -c "apifw-monitor-app-$version.zip" apifw-monitor-app/ && rm -rf apifw-monitor-app)
(cd artifacts && sha256sum "apifw-monitor-app-$version.zip" > "apifw-monitor-app-$version.zip.sha256")
say "artifacts/apifw-monitor-app-$version.zip"
