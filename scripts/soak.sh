#!/usr/bin/env bash
# The full load test: 200 simulated people for 60 seconds against the release build on a
# throwaway PostgreSQL cluster on loopback, then every check of e2e/loadcheck.py (every
# acknowledged change there, nothing else, totals equal to the rows, nothing half-written).
#
#   make soak                  # or: scripts/soak.sh [CLIENTS] [SECONDS]
#
# Writes the figures to .build/soak/results.md (copy them into docs/benchmarks.md with the date)
# and exits non-zero on any failure: a 5xx other than 503 with Retry-After, a dropped
# connection, an acknowledged change missing or any other finding.
set -euo pipefail
cd "$(dirname "$0")/.."

CLIENTS=${1:-200}
DURATION=${2:-60}
OUT=.build/soak
mkdir -p "$OUT"

scripts/install-deps.sh test

echo "soak: building release" >&2
# The release build as deploy/Dockerfile makes it (Swift's runtime linked in statically).
swift build -c release --product expense-tracker --static-swift-stdlib >/dev/null
BIN=$(swift build -c release --show-bin-path --static-swift-stdlib)/expense-tracker

echo "soak: $CLIENTS clients for $DURATION s" >&2
{
    echo "# Soak run $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr)."
    echo "PostgreSQL $(ls /usr/lib/postgresql | sort -V | tail -1), scripts/test-postgres.sh settings, same machine, loopback."
    echo
} >"$OUT/header.md"
python3 e2e/loadrun.py --binary "$BIN" --clients "$CLIENTS" --duration "$DURATION" --out "$OUT/run.md"
cat "$OUT/header.md" "$OUT/run.md" >"$OUT/results.md"
echo "soak: passed; results in $OUT/results.md" >&2
