#!/usr/bin/env bash
# install-chromium.sh installs Debian's chromium (/usr/bin/chromium), which
# the headless browser test of the cat store drives
# (itest/catstore_browser_test.go), with apt-get, if it is missing.
#
#   scripts/install-chromium.sh     install if missing; silent when present
#
# Idempotent and quiet: apt-get's output is shown only if it fails. It needs
# root, or sudo without a password. The package lists are refreshed only when
# the install fails without a refresh (a fresh container has none). Tests that
# need Chromium fail without it unless FULMEN_SKIP_BROWSER=1.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

log() { echo "install-chromium: $*" >&2; }
die() { log "error: $*"; exit 1; }

case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument $1 (try --help)" ;;
esac

[ -x "$CHROMIUM" ] && exit 0

command -v apt-get >/dev/null || die "$CHROMIUM is missing and there is no apt-get: install Chromium by hand"
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || die "$CHROMIUM is missing; installing it needs root (or sudo)"
  sudo=(sudo -n)
fi

output="$(mktemp)"
trap 'rm -f "$output"' EXIT
# Wait for another apt-get (a parallel caller) instead of failing on its lock.
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600)

log "installing Debian's chromium with apt-get (a few minutes)"
if ! "${apt[@]}" install chromium >"$output" 2>&1; then
  if ! { "${apt[@]}" update && "${apt[@]}" install chromium; } >>"$output" 2>&1; then
    cat "$output" >&2
    die "apt-get install chromium failed"
  fi
fi
[ -x "$CHROMIUM" ] || die "apt-get installed chromium, but $CHROMIUM is not there"
log "installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
