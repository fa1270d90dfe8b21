#!/usr/bin/env bash
# Receipt benchmarks: a 5 MiB upload and download, 50 concurrent downloads of it, and the ZIP
# export of 1,000 receipts, with the server's memory sampled; pgbench reads the same stored
# rows for the limit beside them. On PostgreSQL, release build, loopback.
#
#   scripts/bench-receipts.sh          (make bench runs it too)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=.build/bench
mkdir -p "$OUT"
RESULTS="$OUT/receipts.md"
scripts/install-deps.sh test

PGDIR=$(mktemp -d /tmp/expense-bench-receipts-pg.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    scripts/test-postgres.sh stop "$PGDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
eval "$(scripts/test-postgres.sh start "$PGDIR")"
psql "$TEST_SUPERUSER_URL" -X -q -c "CREATE DATABASE expense_bench OWNER expense_owner"
export DATABASE_URL=${TEST_DATABASE_URL/\/postgres\?/\/expense_bench?}
SUPER_URL=${TEST_SUPERUSER_URL/\/postgres\?/\/expense_bench?}
export LOG_LEVEL=warning DATA_DIR="$OUT/data" MAIL_DIR="$OUT/mail"

# The same release build as make bench (Swift runtime linked statically, as the image does).
swift build -c release --product expense-tracker --static-swift-stdlib >/dev/null
BIN=$(swift build -c release --show-bin-path --static-swift-stdlib)/expense-tracker
"$BIN" migrate
ORG=$("$BIN" dev seed --orgs 1 --expenses 1000 --owner-email bench@example.org --password 'correct horse battery staple')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --port "$PORT" --no-worker >"$OUT/receipts-server.log" 2>&1 &
SERVER_PID=$!
until curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; do sleep 0.05; done
sleep 1
BENCH_TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"correct horse battery staple"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

{
    echo "# Receipt benchmarks $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM."
    echo "PostgreSQL $(psql "$SUPER_URL" -X -tAc 'SHOW server_version'), loopback; client, server and database share the cores."
    echo
    BENCH_PORT=$PORT SERVER_PID=$SERVER_PID BENCH_TOKEN=$BENCH_TOKEN BENCH_ORG=$ORG python3 scripts/bench-receipts.py
    echo
} >"$RESULTS"

# The limit: PostgreSQL reading the same 256 KiB rows of the 5 MiB file (one row per transaction,
# as the server reads them, by 50 clients for 10 s), in MiB/s. pgbench receives bytea as hex
# text (twice the bytes); the server receives it binary.
read -r TENANT SHA < <(psql "$SUPER_URL" -X -tAF ' ' -c \
    "SELECT tenant_id, encode(sha256, 'hex') FROM receipt_files ORDER BY size DESC LIMIT 1")
cat >"$OUT/pgbench-receipt.sql" <<SQL
\set p random(0, 19)
SELECT data FROM receipt_chunks WHERE tenant_id = '$TENANT' AND sha256 = decode('$SHA', 'hex') AND position = :p;
SQL
TPS=$(pgbench -n -M prepared -c 50 -j 2 -T 10 -f "$OUT/pgbench-receipt.sql" "$SUPER_URL" 2>/dev/null |
    awk '/^tps/{print $3}')
python3 -c "print(f'pgbench, the same rows read by 50 clients: {float(\"$TPS\") / 4:.0f} MiB/s ({float(\"$TPS\"):.0f} rows/s)')" >>"$RESULTS"
cat "$RESULTS"
