#!/usr/bin/env bash
# Browser tests: the built panels and pages in Debian's headless chromium,
# fed by a real Grafana backend.
source "$(dirname "$0")/lib.sh"
[[ -f dist/plugin.json ]] || build_plugin
ensure_chromium
ensure_grafana
npx playwright test -c tests/browser/playwright.config.ts "$@"
