# Shared by the scripts behind `npm start` and `npm test`: each step installs
# what it needs, so both commands work on a fresh machine.
# shellcheck shell=bash
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export APIFW_CACHE="${APIFW_CACHE:-$HOME/.cache/apifw-monitor}"
cd "$REPO"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs npm packages when node_modules is missing or older than the lock file.
ensure_node_modules() {
  # A symlinked node_modules (a git worktree sharing another checkout's) is
  # never reinstalled from here: npm ci would empty the other checkout's.
  if [[ -L node_modules ]]; then
    [[ -f node_modules/.package-lock.json ]] || { echo "node_modules links to $(readlink node_modules), which has no installed packages: run npm ci there" >&2; exit 1; }
    return 0
  fi
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    say "installing npm packages"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# Debian's chromium for the browser tests (Playwright cannot download its own here).
ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    say "installing Debian's chromium"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  fi
  export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"
}

# Builds the plugin host (cmd/apifw-host, pkg/host) into the cache and sets
# APIFW_HOST to it; the Go build cache keeps a warm build to seconds.
ensure_host() {
  export APIFW_HOST="$APIFW_CACHE/bin/apifw-host"
  mkdir -p "$APIFW_CACHE/bin"
  go build -o "$APIFW_HOST" ./cmd/apifw-host
}

# Builds the plugin into dist/: frontend bundles and the backend for this machine.
build_plugin() {
  say "building the plugin frontend"
  npx webpack -c ./webpack.config.ts --env production --no-stats >/dev/null
  say "building the plugin backend"
  bash "$REPO/scripts/build-backend.sh" >/dev/null
}
