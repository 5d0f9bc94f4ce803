#!/usr/bin/env bash
# Static check of the plugin's frontend against the oldest Grafana it claims (grafanaDependency):
# @grafana/levitate over every entry point and src/shared, with the reviewed findings in
# tests/browser/compat/levitate-known.json. Exits non-zero on a new incompatibility.
# Levitate downloads the @grafana/* type packages of both versions from the npm registry.
source "$(dirname "$0")/lib.sh"
ensure_node_modules
node tests/browser/compat/check-levitate.mjs "$@"
