#!/usr/bin/env bash
# bench-vs-lnd.sh measures Fulmen against lnd v0.21.3-beta on one btcd
# regtest chain (issue #8) and prints the Markdown tables of
# docs/benchmarks.md ("Fulmen vs lnd").
#
#   scripts/bench-vs-lnd.sh                      3 runs of each, tables on stdout
#   scripts/bench-vs-lnd.sh -out bench.md        ... and into bench.md
#   scripts/bench-vs-lnd.sh -runs 5 -raw runs.json -keep
#   scripts/bench-vs-lnd.sh -impl fulmen -n-seq 20 -n-concurrent 40 -n-2hop 10
#   scripts/bench-vs-lnd.sh -h                   every flag
#
# It builds lnd once per machine (scripts/install-lnd.sh, 7-9 minutes cold),
# fulmend from this checkout, and tools/lnbench, then runs lnbench; progress
# goes to stderr. A full run takes about 10-15 minutes on 2 cores. Nothing is
# written in the repository unless -out or -raw says so.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="$(mktemp -d "${TMPDIR:-/tmp}/lnbench-bin.XXXXXX")"
trap 'rm -rf "$bin"' EXIT

echo "bench-vs-lnd: building tools/lnbench" >&2
go build -o "$bin/lnbench" ./tools/lnbench
LNBENCH_COMMAND="scripts/bench-vs-lnd.sh" "$bin/lnbench" "$@"
