#!/usr/bin/env bash
# The benchmarks of docs/benchmarks.md, on PostgreSQL with one tenant of a million expenses.
#
#   make bench                 # or: scripts/bench.sh [EXPENSES]
#
# Starts a throwaway PostgreSQL cluster on loopback, builds the release binary, seeds the data,
# runs wrk against a real server and pgbench against the same SQL, and writes the figures to
# .build/bench/results.md (copy what matters into docs/benchmarks.md with the date).
set -euo pipefail
cd "$(dirname "$0")/.."

EXPENSES=${1:-1000000}
DURATION=${BENCH_DURATION:-15s}
PORT=${BENCH_PORT:-8181}
OUT=.build/bench
mkdir -p "$OUT"
RESULTS="$OUT/results.md"

scripts/install-deps.sh test
if ! command -v wrk >/dev/null; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get install -y -qq wrk >/dev/null
fi

PGDIR=$(mktemp -d /tmp/expense-bench-pg.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    scripts/test-postgres.sh stop "$PGDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
eval "$(scripts/test-postgres.sh start "$PGDIR")"
# A database the application role owns (PostgreSQL 15+ lets only owners create in public).
psql "$TEST_SUPERUSER_URL" -X -q -c "CREATE DATABASE expense_bench OWNER expense_owner"
TEST_DATABASE_URL=${TEST_DATABASE_URL/\/postgres\?/\/expense_bench?}
export DATABASE_URL="$TEST_DATABASE_URL" DATABASE_MAX_CONNECTIONS=${DATABASE_MAX_CONNECTIONS:-32}
export LOG_LEVEL=warning DATA_DIR="$OUT/data" MAIL_DIR="$OUT/mail"
calc() { python3 -c "print(round($1, 1))"; }
psql_owner() { psql "$TEST_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_super() { psql "$TEST_SUPERUSER_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "bench: building release" >&2
swift build -c release --product expense-tracker >/dev/null
BIN=$(swift build -c release --show-bin-path)/expense-tracker
"$BIN" migrate

{
    echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr)."
    echo "PostgreSQL $(psql_super -tAc 'SHOW server_version'), default settings, same machine, loopback."
    echo
} >"$RESULTS"

echo "bench: seeding $EXPENSES expenses" >&2
start=$(date +%s.%N)
ORG=$("$BIN" dev seed --orgs 1 --expenses "$EXPENSES" --owner-email bench@example.org --password 'correct horse battery staple')
seed_seconds=$(calc "$(date +%s.%N) - $start")
psql "${TEST_SUPERUSER_URL/\/postgres\?/\/expense_bench?}" -X -q -c "VACUUM (ANALYZE) expenses"
echo "- Seed: $EXPENSES expenses in ${seed_seconds}s ($(calc "$EXPENSES / $seed_seconds") rows/s), then VACUUM ANALYZE." >>"$RESULTS"

echo "bench: starting the server" >&2
start=$(date +%s%N)
"$BIN" serve --port "$PORT" --no-worker >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
until curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; do sleep 0.01; done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1
idle_kib=$(awk '/VmRSS/{print $2}' /proc/$SERVER_PID/status)
echo "- Time to ready (process start to /health/ready 200): ${ready_ms} ms; idle RSS $((idle_kib / 1024)) MiB." >>"$RESULTS"

BASE="http://127.0.0.1:$PORT/api/v1/orgs/$ORG"
export BENCH_TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"correct horse battery staple"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

run_wrk() { # name connections url [script]
    local name=$1 connections=$2 url=$3 script=${4:-bench/get.lua}
    echo "bench: $name" >&2
    wrk -t"$((connections < 4 ? connections : 4))" -c"$connections" -d"$DURATION" --latency -s "$script" "$url" \
        >"$OUT/$name.txt"
    local rps p50 p99 errors
    rps=$(awk '/Requests\/sec/{print $2}' "$OUT/$name.txt")
    p50=$(awk '$1=="50%"{print $2}' "$OUT/$name.txt")
    p99=$(awk '$1=="99%"{print $2}' "$OUT/$name.txt")
    errors=$(grep -E "Non-2xx|Socket errors" "$OUT/$name.txt" | tr '\n' ' ' || true)
    echo "| $name | $connections | $rps | $p50 | $p99 | ${errors:-none} |" >>"$RESULTS"
}

{
    echo
    echo "| benchmark | connections | requests/s | p50 | p99 | errors |"
    echo "|---|---|---|---|---|---|"
} >>"$RESULTS"
run_wrk "log an expense (POST)" 64 "$BASE/expenses" bench/post-expense.lua
run_wrk "list newest 50" 64 "$BASE/expenses?limit=50"
run_wrk "monthly totals, one year" 8 "$BASE/reports/totals?period=month&from=2025-12-01&to=2026-11-30"
run_wrk "weekly totals by category, one quarter" 8 "$BASE/reports/totals?period=week&from=2026-09-01&to=2026-11-30&group_by=category"
# One connection: the latency of a request with nobody else waiting.
run_wrk "list newest 50, alone" 1 "$BASE/expenses?limit=50"
run_wrk "monthly totals, one year, alone" 1 "$BASE/reports/totals?period=month&from=2025-12-01&to=2026-11-30"
run_wrk "weekly totals by category, one quarter, alone" 1 "$BASE/reports/totals?period=week&from=2026-09-01&to=2026-11-30&group_by=category"

echo "bench: CSV export" >&2
peak_file="$OUT/export-peak"
echo 0 >"$peak_file"
( while kill -0 $SERVER_PID 2>/dev/null; do
    rss=$(awk '/VmRSS/{print $2}' /proc/$SERVER_PID/status); peak=$(cat "$peak_file")
    [ "$rss" -gt "$peak" ] && echo "$rss" >"$peak_file"; sleep 0.05
  done ) &
SAMPLER=$!
before_kib=$(awk '/VmRSS/{print $2}' /proc/$SERVER_PID/status)
export_stats=$(curl -fs -o "$OUT/export.csv" -w '%{time_total} %{size_download}' -H "Authorization: Bearer $BENCH_TOKEN" "$BASE/exports/expenses.csv")
kill $SAMPLER 2>/dev/null || true
rows=$(( $(wc -l <"$OUT/export.csv") - 1 ))
seconds=${export_stats% *}
bytes=${export_stats#* }
{
    echo
    echo "- CSV export of all rows: $rows rows, $((bytes / 1048576)) MiB in ${seconds}s = $(calc "$rows / $seconds") rows/s;"
    echo "  server RSS $((before_kib / 1024)) MiB before, peak $(( $(cat "$peak_file") / 1024 )) MiB during."
} >>"$RESULTS"

echo "bench: raw SQL with pgbench" >&2
# Dates spread like the wrk script's, so concurrent inserts rarely share a day-sum row.
cat >"$OUT/insert.sql" <<SQL
\\set day random(0, 300)
BEGIN;
SELECT set_config('app.tenant_id', '$ORG', true);
INSERT INTO expenses (tenant_id, id, member_id, category_id, amount_minor, currency, occurred_on, merchant, note, tags, created_at, updated_at)
SELECT '$ORG', gen_random_uuid(), (SELECT user_id FROM memberships WHERE tenant_id = '$ORG' AND role = 'owner' LIMIT 1),
       NULL, 1234, 'EUR', DATE '2026-11-29' - (:day)::int, 'pgbench', '', ',bench,', now(), now();
COMMIT;
SQL
cat >"$OUT/list.sql" <<SQL
BEGIN;
SELECT set_config('app.tenant_id', '$ORG', true);
SELECT e.id, e.seq, e.member_id, u.name, e.category_id, c.name, e.amount_minor, e.currency, e.occurred_on, e.merchant, e.note, e.tags, e.version, e.created_at, e.updated_at
FROM expenses e JOIN users u ON u.id = e.member_id LEFT JOIN categories c ON c.tenant_id = e.tenant_id AND c.id = e.category_id
WHERE e.tenant_id = '$ORG' ORDER BY e.occurred_on DESC, e.seq DESC LIMIT 51;
COMMIT;
SQL
cat >"$OUT/totals.sql" <<SQL
BEGIN;
SELECT set_config('app.tenant_id', '$ORG', true);
SELECT occurred_on, currency, NULL AS grp, SUM(amount_minor)::text AS total, 0 AS low, SUM(expense_count)::bigint AS n
FROM expense_day_totals
WHERE tenant_id = '$ORG' AND occurred_on >= '2025-12-01' AND occurred_on <= '2026-11-30' AND expense_count > 0
GROUP BY occurred_on, currency;
COMMIT;
SQL
cat >"$OUT/weekly.sql" <<SQL
BEGIN;
SELECT set_config('app.tenant_id', '$ORG', true);
SELECT occurred_on, currency, NULLIF(category_key, '00000000-0000-0000-0000-000000000000') AS grp,
       SUM(amount_minor)::text AS total, 0 AS low, SUM(expense_count)::bigint AS n
FROM expense_day_totals
WHERE tenant_id = '$ORG' AND occurred_on >= '2026-09-01' AND occurred_on <= '2026-11-30' AND expense_count > 0
GROUP BY occurred_on, currency, NULLIF(category_key, '00000000-0000-0000-0000-000000000000');
COMMIT;
SQL
cat >"$OUT/scan.sql" <<SQL
BEGIN;
SELECT set_config('app.tenant_id', '$ORG', true);
SELECT occurred_on, currency, SUM(amount_minor)::text, COUNT(*) FROM expenses
WHERE tenant_id = '$ORG' AND occurred_on >= '2025-12-01' AND occurred_on <= '2026-11-30' GROUP BY occurred_on, currency;
COMMIT;
SQL
{
    echo
    echo "Raw SQL, the same statements in the same transaction shape (pgbench, as the application role, so row security applies):"
    echo
    echo "| statement | clients | transactions/s | mean latency |"
    echo "|---|---|---|---|"
} >>"$RESULTS"
for entry in "insert:64" "list:64" "totals:8" "weekly:8" "scan:8"; do
    name=${entry%%:*}; clients=${entry##*:}
    pgbench "$TEST_DATABASE_URL" -n -M prepared -c "$clients" -j 4 -T "${DURATION%s}" -f "$OUT/$name.sql" >"$OUT/pgbench-$name.txt" 2>&1
    tps=$(awk -F'= ' '/^tps/{print $2}' "$OUT/pgbench-$name.txt" | awk '{print $1}' | tail -1)
    latency=$(awk -F'= ' '/latency average/{print $2}' "$OUT/pgbench-$name.txt")
    echo "| $name | $clients | $tps | $latency |" >>"$RESULTS"
done

echo "bench: query plans" >&2
{
    echo
    echo "## Plans"
    for name in list totals weekly scan; do
        echo
        echo "### $name"
        echo
        echo '```'
        sed -e 's/^SELECT e.id/EXPLAIN (ANALYZE, BUFFERS) SELECT e.id/' -e 's/^SELECT occurred_on/EXPLAIN (ANALYZE, BUFFERS) SELECT occurred_on/' \
            "$OUT/$name.sql" | psql_owner -t 2>&1 | grep -v '^ *set_config' | sed '/^$/d' | grep -v "^ *$ORG *$"
        echo '```'
    done
} >>"$RESULTS"

echo "bench: mail" >&2
cleanup
SERVER_PID=""
trap - EXIT
scripts/bench-mail.sh 1000 >/dev/null

echo "bench: done; results in $RESULTS" >&2
cat "$RESULTS"
