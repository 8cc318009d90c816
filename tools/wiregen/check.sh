#!/bin/sh
# check.sh: fail if lnwire's generated wire code is stale. It re-extracts
# spec.csv from the BOLT markdown and regenerates messages_gen.go from it, in
# a temporary directory, and diffs both against the committed files.
#
# The BOLTs are read from $FULMEN_BOLTS_DIR, else from spec/bolts in the
# module (copied from lightning/bolts a377265). spec.csv records
# the SHA-256 of each file it was extracted from, so a different BOLT version
# shows up in the diff.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
bolts=${FULMEN_BOLTS_DIR:-$root/spec/bolts}
if [ ! -f "$bolts/01-messaging.md" ]; then
	echo "check.sh: no BOLT markdown in $bolts; set FULMEN_BOLTS_DIR" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go build -o "$tmp/wiregen" ./tools/wiregen
"$tmp/wiregen" extract -bolts "$bolts" -out "$tmp/spec.csv"
"$tmp/wiregen" generate -in "$tmp/spec.csv" -out "$tmp/messages_gen.go"

status=0
diff -u lnwire/spec.csv "$tmp/spec.csv" || status=1
diff -u lnwire/messages_gen.go "$tmp/messages_gen.go" || status=1
if [ -n "$(gofmt -l lnwire/messages_gen.go)" ]; then
	echo "check.sh: lnwire/messages_gen.go is not gofmt-clean" >&2
	status=1
fi
if [ "$status" -ne 0 ]; then
	echo "check.sh: generated wire code is stale: run go generate ./lnwire/..." >&2
	exit 1
fi
echo "check.sh: lnwire/spec.csv and lnwire/messages_gen.go are up to date"
