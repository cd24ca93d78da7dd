#!/usr/bin/env bash
# Install Ace by DAISY (EPUB accessibility checker) for accesspub's tests.
#
#   scripts/install-ace.sh          # idempotent; ~0.1 s when already installed
#
# - Chromium comes from Debian (apt), because Puppeteer's own browser download
#   needs internet access that CI does not have.
# - Ace comes from npm into .tools/ace/ (git-ignored) with --ignore-scripts, so
#   Puppeteer/Electron do not try to download browsers.
# - Ace is run through scripts/ace (which points Puppeteer at
#   scripts/chromium-headless, a wrapper adding --no-sandbox etc.).
#
# Environment: ACE_VERSION (default below), CHROMIUM (default /usr/bin/chromium).
set -euo pipefail

ACE_VERSION="${ACE_VERSION:-1.4.6}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.tools/ace"
stamp="$prefix/.installed-$ACE_VERSION"

say() { printf 'install-ace: %s\n' "$*" >&2; }

# 1. Chromium (Debian package).
if [[ ! -x "$CHROMIUM" ]]; then
  if [[ "$(id -u)" -eq 0 ]]; then
    say "installing Debian package 'chromium' (needed by Ace)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    say "Chromium is missing ($CHROMIUM). Install it with:"
    say "    sudo apt-get install --no-install-recommends chromium"
    say "or set CHROMIUM=/path/to/chrome and run this script again."
    exit 1
  fi
fi

# 2. Node + npm.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [[ "$(id -u)" -eq 0 ]]; then
    say "installing Debian packages 'nodejs npm' (needed by Ace)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  else
    say "Node.js and npm are missing. Install them with:"
    say "    sudo apt-get install --no-install-recommends nodejs npm"
    exit 1
  fi
fi

# 3. Ace from npm, without install scripts (they would download browsers).
if [[ -f "$stamp" && -x "$prefix/node_modules/.bin/ace-puppeteer" ]]; then
  exit 0
fi
say "installing @daisy/ace@$ACE_VERSION into .tools/ace …"
mkdir -p "$prefix"
PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
  npm install --ignore-scripts --no-audit --no-fund --loglevel=error \
  --prefix "$prefix" "@daisy/ace@$ACE_VERSION" >/dev/null
rm -f "$prefix"/.installed-*
touch "$stamp"
say "done: $("$prefix/node_modules/.bin/ace-puppeteer" --version 2>/dev/null || echo '?')"
