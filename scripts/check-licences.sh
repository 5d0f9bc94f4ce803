#!/usr/bin/env bash
# Static check, part of `npm test`: no AGPL Grafana code anywhere. Grafana's
# server (github.com/grafana/grafana), Loki and Tempo are AGPL and must not be
# a dependency, not even for tests: this fails when a go.mod, go.sum, script
# or the resolved Go module graph names one of them. The plugin SDK
# (grafana-plugin-sdk-go) and grafana-foundation-sdk are Apache-2.0.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='github\.com/grafana/(grafana|loki|tempo)([/@" ]|$)'
self="scripts/check-licences.sh"
files=$(git ls-files -co --exclude-standard -- '*go.mod' '*go.sum' '*.sh' '.ci/*' 'package.json' 'Magefile.go' 'scripts/*' \
  | grep -v node_modules | grep -vx "$self" || true)
found=""
if [[ -n "$files" ]]; then
  found=$(grep -nHE "$pattern" $files || true)
fi
# The modules the build really resolves, whatever the files say.
# A module path there is followed by a space and its version.
found+=$(go list -m all | grep -E '^github\.com/grafana/(grafana|loki|tempo)(/[^ ]*)?( |$)' | sed 's/^/go list -m all: /' || true)
if [[ -n "$found" ]]; then
  echo "AGPL modules are not to be used (Grafana server, Loki, Tempo), not even in tests:" >&2
  printf '%s\n' "$found" >&2
  exit 1
fi
echo "licences: no AGPL Grafana, Loki or Tempo module referenced ($(wc -w <<<"$files") files and the Go module graph checked)"
