#!/usr/bin/env bash
# The project's test command: static checks, generated-code check, then every
# test (unit, fuzz seeds, in-process, and black-box regtest tests that start
# their own btcd and fulmend processes). Needs only Go; tools it uses (btcd)
# are installed at pinned versions by the tests themselves.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

echo "== go vet"
go vet ./...

if [ -x tools/wiregen/check.sh ]; then
  echo "== generated wire code is up to date"
  tools/wiregen/check.sh
fi

echo "== go test"
go test -count=1 -timeout 25m "$@" ./...
