#!/usr/bin/env bash
# install-lnd.sh builds lnd and lncli at a pinned release, once per machine,
# for the interoperability tests (package lndtest).
#
#   scripts/install-lnd.sh              build if missing; stdout's last line is
#                                       the directory holding lnd and lncli
#   scripts/install-lnd.sh --print-dir  print that directory, build nothing
#   scripts/install-lnd.sh --force      rebuild even when installed
#
# `go install github.com/lightningnetwork/lnd/cmd/lnd@VERSION` is refused
# because lnd's go.mod has replace directives, so the script fetches the module
# through the Go module proxy (`go mod download`), copies it out of the
# read-only module cache and runs `go build` inside the copy, with the build
# tags of lnd's release builds that the tests use (make/release_flags.mk).
#
# Binaries go to $FULMEN_CACHE/lnd-VERSION/ (FULMEN_CACHE defaults to
# fulmen-tools beside Go's build cache, like the btcd the tests install), so a
# warm machine never rebuilds. Progress goes to stderr; only the directory goes
# to stdout. Concurrent callers wait on a lock and the binaries appear by
# atomic rename, so a half-written binary is never visible. Nothing of lnd is
# written inside the repository.
set -euo pipefail

LND_VERSION="${FULMEN_LND_VERSION:-v0.21.3-beta}"
LND_MODULE="github.com/lightningnetwork/lnd"
# Release tags (make/release_flags.mk) minus the database backends, autopilot,
# watchtower, neutrino and monitoring, which the tests do not use. routerrpc
# (REST /v2/router/*) is compiled in without a tag.
LND_TAGS="signrpc walletrpc chainrpc invoicesrpc peersrpc"

log() { echo "install-lnd: $*" >&2; }
die() { log "error: $*"; exit 1; }

mode=build
for arg in "$@"; do
  case "$arg" in
    --print-dir) mode=print ;;
    --force) mode=force ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $arg (try --help)" ;;
  esac
done

command -v go >/dev/null || die "go is not on PATH"

cache_root="${FULMEN_CACHE:-}"
if [ -z "$cache_root" ]; then
  gocache="$(go env GOCACHE)"
  [ -n "$gocache" ] && [ "$gocache" != "off" ] || die "GOCACHE is off; set FULMEN_CACHE"
  cache_root="$(dirname "$gocache")/fulmen-tools"
fi
case "$cache_root" in
  /*) ;;
  *) cache_root="$PWD/$cache_root" ;;
esac
dest="$cache_root/lnd-$LND_VERSION"
stamp="$dest/build-info"
want_stamp="version=$LND_VERSION tags=$LND_TAGS"

if [ "$mode" = print ]; then
  echo "$dest"
  exit 0
fi

installed() {
  [ -x "$dest/lnd" ] && [ -x "$dest/lncli" ] && [ -f "$stamp" ] &&
    [ "$(head -n 1 "$stamp")" = "$want_stamp" ]
}

if [ "$mode" = build ] && installed; then
  log "lnd $LND_VERSION already built in $dest"
  echo "$dest"
  exit 0
fi

mkdir -p "$cache_root"
# One build at a time per machine: test packages run in parallel and each may
# call this script. Waiters find the binaries in place once the lock is theirs.
if command -v flock >/dev/null; then
  exec 9>"$cache_root/lnd-$LND_VERSION.lock"
  if ! flock -n 9; then
    log "another build of lnd $LND_VERSION is running; waiting for it"
    flock 9
  fi
  if [ "$mode" = build ] && installed; then
    log "lnd $LND_VERSION was built by another process in $dest"
    echo "$dest"
    exit 0
  fi
fi

work="$(mktemp -d "$cache_root/.lnd-build.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
trap 'log "interrupted"; exit 143' TERM INT HUP # run the EXIT trap on signals too

log "fetching $LND_MODULE@$LND_VERSION through the Go module proxy"
src_dir="$(cd "$work" && GOFLAGS= GOWORK=off go mod download -json "$LND_MODULE@$LND_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[ -n "$src_dir" ] && [ -f "$src_dir/go.mod" ] || die "go mod download gave no module directory"

log "copying $src_dir to $work/src (the module cache is read-only)"
cp -R "$src_dir" "$work/src"
chmod -R u+w "$work/src"

start=$(date +%s)
log "building lnd and lncli with tags '$LND_TAGS' (7-9 minutes and ~2 GB of build cache on a cold machine)"
(
  cd "$work/src"
  GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0 go build -trimpath \
    -tags="$LND_TAGS" \
    -ldflags="-s -w -X $LND_MODULE/build.Commit=$LND_VERSION" \
    -o "$work/bin/" ./cmd/lnd ./cmd/lncli
)
log "built in $(( $(date +%s) - start ))s"

"$work/bin/lnd" --version >&2 || die "the built lnd does not run"
"$work/bin/lncli" --version >&2 || die "the built lncli does not run"

mkdir -p "$dest"
# Same file system as $dest: rename is atomic, readers see old or new.
mv -f "$work/bin/lnd" "$dest/lnd"
mv -f "$work/bin/lncli" "$dest/lncli"
{
  echo "$want_stamp"
  echo "go=$(go env GOVERSION) built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$stamp.tmp"
mv -f "$stamp.tmp" "$stamp"
log "installed lnd and lncli $LND_VERSION in $dest"
echo "$dest"
