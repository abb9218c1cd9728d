#!/usr/bin/env bash
# Measures what skim costs a Trino client and prints the figures: added
# first-page latency (p50, p99), throughput through skim vs straight to the
# server on a ~1 GB result, and skim's peak RSS with 100 concurrent clients
# each streaming ~100 MB. See the comment at the top of main.go.
#
# Usage, from anywhere in the repository (needs Go and PostgreSQL, as the
# e2e tests do; a few minutes on 2 cores):
#
#   test/bench/run.sh [flags]      e.g. -clients 20 -client-rows 100000
#   test/bench/run.sh -h           lists the flags
set -euo pipefail
cd "$(dirname "$0")/../.."
export CGO_ENABLED=1
exec go run ./test/bench "$@"
