#!/usr/bin/env bash
# Builds aio's benchmark binary and the competitors under bench/, runs the
# workloads of bench/WORKLOADS.md and writes results.jsonl, results.md and
# one SVG chart per workload (default into bench/results/).
#
#   bench/run.sh [--impl LIST] [--workload LIST] [--runs N] [--quick] [--out DIR]
#   bench/run.sh report bench/results/results.jsonl [--out DIR]   # re-render only
#   bench/run.sh --help
#
# Build outputs go to bench/build/ (not committed). See bench/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GO="${GO:-go}"
mkdir -p "$ROOT/bench/build"
(cd "$ROOT" && "$GO" build -trimpath -o bench/build/runner ./bench/runner)
cd "$ROOT"
exec bench/build/runner "$@"
