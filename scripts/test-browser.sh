#!/usr/bin/env bash
# Browser tests: the built panels, pages and editors in Debian's headless chromium, on two
# generations of Grafana's frontend packages (Playwright projects grafana13 and grafana12), with
# the real plugin backend behind the plugin host (cmd/apifw-host). See tests/browser/README.md.
# Arguments go to Playwright, e.g. `--project grafana12` or a spec file name.
source "$(dirname "$0")/lib.sh"
ensure_node_modules
[[ -f dist/plugin.json ]] || build_plugin
ensure_chromium

# The oldest generation's packages (@grafana/* 12.4, React 18), from their own lock file.
compat=tests/browser/compat/grafana12
if [[ ! -f $compat/node_modules/.package-lock.json || $compat/package-lock.json -nt $compat/node_modules/.package-lock.json ]]; then
  say "installing the grafana12 host page packages ($compat)"
  npm ci --prefix "$compat" --no-audit --no-fund --loglevel=error
fi

npx playwright test -c tests/browser/playwright.config.ts "$@"
