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
# The server's default pool unless DATABASE_MAX_CONNECTIONS says.
export DATABASE_URL="$TEST_DATABASE_URL"
[ -n "${DATABASE_MAX_CONNECTIONS:-}" ] && export DATABASE_MAX_CONNECTIONS
export LOG_LEVEL=warning DATA_DIR="$OUT/data" MAIL_DIR="$OUT/mail"
# A webhook endpoint is registered for one run (its secret is sealed under this key); the server
# runs --no-worker, so nothing is sent: the run measures what queuing the event costs a write.
SECRET_KEY=$(openssl rand -base64 32) WEBHOOK_ALLOW_PRIVATE=true
export SECRET_KEY WEBHOOK_ALLOW_PRIVATE
calc() { python3 -c "print(round($1, 1))"; }
psql_owner() { psql "$TEST_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_super() { psql "$TEST_SUPERUSER_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "bench: building release" >&2
# The release build as deploy/Dockerfile makes it (Swift's runtime linked in statically);
# BENCH_SWIFTFLAGS tries other options (e.g. "-Xswiftc -cross-module-optimization").
BUILD_FLAGS="--static-swift-stdlib ${BENCH_SWIFTFLAGS:-}"
# shellcheck disable=SC2086
swift build -c release --product expense-tracker $BUILD_FLAGS >/dev/null
# shellcheck disable=SC2086
BIN=$(swift build -c release --show-bin-path $BUILD_FLAGS)/expense-tracker
"$BIN" migrate

{
    echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM, $(uname -sr)."
    echo "PostgreSQL $(psql_super -tAc 'SHOW server_version'), default settings, same machine, loopback."
    echo "Server pool: ${DATABASE_MAX_CONNECTIONS:-default (16)} connections. Build flags: $BUILD_FLAGS."
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
rss_kib() { awk '/^(RssAnon|RssFile):/{sum += $2} END {print sum}' /proc/$SERVER_PID/status; }
idle_kib=$(rss_kib)
idle_detail=$(awk '/^Rss(Anon|File|Shmem):/{printf "%s %d MiB, ", $1, $2/1024}' /proc/$SERVER_PID/status)
echo "- Time to ready (process start to /health/ready 200): ${ready_ms} ms; idle RssAnon + RssFile $((idle_kib / 1024)) MiB (${idle_detail%, })." >>"$RESULTS"

BASE="http://127.0.0.1:$PORT/api/v1/orgs/$ORG"
export BENCH_TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"correct horse battery staple"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

run_wrk() { # key name connections url [script]
    local key=$1 name=$2 connections=$3 url=$4 script=${5:-bench/get.lua}
    echo "bench: $name" >&2
    wrk -t"$((connections < 4 ? connections : 4))" -c"$connections" -d"$DURATION" --latency -s "$script" "$url" \
        >"$OUT/$key.txt"
    local errors
    errors=$(grep -E "Non-2xx|Socket errors" "$OUT/$key.txt" | tr '\n' ' ' || true)
    echo "| $name | $connections | $(wrk_field "$key" rps) | $(wrk_field "$key" p50) | $(wrk_field "$key" p99) | ${errors:-none} |" >>"$RESULTS"
}
wrk_field() { # key rps|p50|p99
    case $2 in
    rps) awk '/Requests\/sec/{print $2}' "$OUT/$1.txt" ;;
    p50) awk '$1=="50%"{print $2}' "$OUT/$1.txt" ;;
    p99) awk '$1=="99%"{print $2}' "$OUT/$1.txt" ;;
    esac
}

{
    echo
    echo "| benchmark | connections | requests/s | p50 | p99 | errors |"
    echo "|---|---|---|---|---|---|"
} >>"$RESULTS"
run_wrk post "log an expense (POST)" 64 "$BASE/expenses" bench/post-expense.lua
if [ "${BENCH_PROFILE:-0}" = 1 ] && command -v perf >/dev/null; then
    # A CPU profile of the server while it lists (software clock: this machine may have no
    # hardware counters).
    perf record -e cpu-clock -F 999 -g -p "$SERVER_PID" -o "$OUT/perf-list.data" -- sleep "${DURATION%s}" \
        >/dev/null 2>&1 &
    PERF_PID=$!
fi
run_wrk list "list newest 50" 64 "$BASE/expenses?limit=50"
if [ -n "${PERF_PID:-}" ]; then
    wait "$PERF_PID" || true
    perf report -i "$OUT/perf-list.data" --stdio --no-children --sort dso,symbol --percent-limit 1.5 \
        >"$OUT/perf-list.txt" 2>/dev/null || true
fi
run_wrk totals8 "monthly totals, one year" 8 "$BASE/reports/totals?period=month&from=2025-12-01&to=2026-11-30"
run_wrk weekly8 "weekly totals by category, one quarter" 8 "$BASE/reports/totals?period=week&from=2026-09-01&to=2026-11-30&group_by=category"
# One connection: the latency of a request with nobody else waiting.
run_wrk list1 "list newest 50, alone" 1 "$BASE/expenses?limit=50"
run_wrk totals1 "monthly totals, one year, alone" 1 "$BASE/reports/totals?period=month&from=2025-12-01&to=2026-11-30"
run_wrk weekly1 "weekly totals by category, one quarter, alone" 1 "$BASE/reports/totals?period=week&from=2026-09-01&to=2026-11-30&group_by=category"
# The same writes once the organization has a webhook endpoint for expense.created: each also
# queues a delivery in its transaction.
curl -fs -o /dev/null -X POST "$BASE/webhooks" -H "Authorization: Bearer $BENCH_TOKEN" \
    -H 'content-type: application/json' \
    -d '{"url":"http://127.0.0.1:9/hook","events":["expense.created"],"description":"bench"}'
run_wrk posthook "log an expense, one webhook endpoint (POST)" 64 "$BASE/expenses" bench/post-expense.lua

echo "bench: CSV export" >&2
peak_file="$OUT/export-peak"
echo 0 >"$peak_file"
( while kill -0 $SERVER_PID 2>/dev/null; do
    rss=$(rss_kib); peak=$(cat "$peak_file")
    [ "$rss" -gt "$peak" ] && echo "$rss" >"$peak_file"; sleep 0.05
  done ) &
SAMPLER=$!
before_kib=$(rss_kib)
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
TOKEN_HASH=$(python3 -c 'import hashlib,os; print(hashlib.sha256(os.environ["BENCH_TOKEN"].encode()).hexdigest())')
# The statements the server sends for one request, as it sends them (prepared, in the same
# transaction, the token lookup that also scopes the transaction first): the minimal
# transaction for the same work, against which the server's overhead is measured.
TOKEN_SCOPE="SELECT t.id, t.user_id, t.name, t.created_at, t.last_used_at, t.expires_at, u.email AS user_email,
    u.name AS user_name, u.email_verified_at AS user_email_verified_at, u.created_at AS user_created_at,
    set_config('app.tenant_id', :org, true), set_config('app.user_id', t.user_id::text, true),
    set_config('app.invitation_token_hash', '', true)
FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = :hash;"
ORG_ROLE="SELECT o.id, o.name, o.kind, o.currency, o.time_zone, o.week_start, o.created_at, o.updated_at, m.role
FROM organizations o JOIN memberships m ON m.tenant_id = o.id AND m.user_id = :user
WHERE o.id = :org AND o.deleted_at IS NULL"
OWNER=$(psql "${TEST_SUPERUSER_URL/\/postgres\?/\/expense_bench?}" -X -tAc \
    "SELECT user_id FROM memberships WHERE tenant_id = '$ORG' AND role = 'owner' LIMIT 1")
# Dates spread like the wrk script's, so concurrent inserts rarely share a day-sum row.
cat >"$OUT/insert.sql" <<SQL
\\set day random(0, 300)
BEGIN;
$TOKEN_SCOPE
$ORG_ROLE FOR SHARE OF m;
WITH category AS (
    SELECT name FROM categories WHERE tenant_id = :org AND id = NULL::uuid AND archived_at IS NULL
), expense AS (
    INSERT INTO expenses (tenant_id, id, member_id, category_id, amount_minor, currency, occurred_on,
                          merchant, note, tags, created_at, updated_at)
    SELECT :org::uuid, gen_random_uuid(), :user::uuid, NULL::uuid, 1234::bigint, 'EUR'::text,
           (DATE '2026-11-29' - :day::int)::date, 'pgbench'::text, ''::text, ',bench,'::text, now(), now()
    WHERE NULL::uuid IS NULL OR EXISTS (SELECT 1 FROM category)
    RETURNING seq, id
), audit AS (
    INSERT INTO audit_log (tenant_id, id, actor_id, actor_name, action, subject_type, subject_id, details, created_at)
    SELECT :org::uuid, gen_random_uuid(), :user::uuid, 'Bench'::text, 'expense.created'::text, 'expense'::text,
           expense.id::text, '{"after":{"amount":"12.34"}}'::text, now()
    FROM expense
)
SELECT expense.seq, (SELECT name FROM category) AS category_name FROM expense;
COMMIT;
SQL
# The write above plus what a subscribed endpoint adds: the server's one statement that holds
# the endpoint's row and writes the delivery with the event's payload (a space after each colon
# of the JSON: pgbench reads ":name" as a variable).
sed -e '/^COMMIT;$/d' "$OUT/insert.sql" >"$OUT/insert_hook.sql"
cat >>"$OUT/insert_hook.sql" <<SQL
INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, message_id, event_type, payload, next_attempt_at, created_at)
SELECT e.tenant_id, e.delivery, e.id, 'msg_' || replace(e.delivery::text, '-', ''), 'expense.created',
       '{"type": "expense.created", "timestamp": "2026-12-03T12.00.00Z", "organization_id": "' || :org::text
       || '", "data": {"id": "' || gen_random_uuid() || '", "member_id": "' || :user::text
       || '", "amount": "12.34", "currency": "EUR", "date": "2026-11-29", "merchant": "pgbench", "note": "",'
       || ' "tags": ["bench"], "category_id": null, "reimbursable": true, "version": 1}}',
       now(), now()
FROM (SELECT tenant_id, id, gen_random_uuid() AS delivery FROM webhook_endpoints
      WHERE tenant_id = :org AND enabled AND events LIKE '%,expense.created,%' FOR KEY SHARE) e
RETURNING id;
COMMIT;
SQL
cat >"$OUT/list.sql" <<SQL
BEGIN;
$TOKEN_SCOPE
$ORG_ROLE;
SELECT e.id, e.seq, e.member_id, u.name AS member_name, e.category_id, c.name AS category_name,
       e.amount_minor, e.currency, e.occurred_on, e.merchant, e.note, e.tags, e.version,
       e.created_at, e.updated_at
FROM expenses e
JOIN users u ON u.id = e.member_id
LEFT JOIN categories c ON c.tenant_id = e.tenant_id AND c.id = e.category_id WHERE e.tenant_id = :org ORDER BY e.occurred_on DESC, e.seq DESC LIMIT 51;
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
for entry in "insert:64" "insert_hook:64" "list:64" "totals:8" "weekly:8" "scan:8"; do
    name=${entry%%:*}; clients=${entry##*:}
    pgbench "$TEST_DATABASE_URL" -n -M prepared -c "$clients" -j 4 -T "${DURATION%s}" \
        -D org="$ORG" -D user="$OWNER" -D hash="$TOKEN_HASH" -f "$OUT/$name.sql" >"$OUT/pgbench-$name.txt" 2>&1
    tps=$(awk -F'= ' '/^tps/{print $2}' "$OUT/pgbench-$name.txt" | awk '{print $1}' | tail -1)
    latency=$(awk -F'= ' '/latency average/{print $2}' "$OUT/pgbench-$name.txt")
    echo "| $name | $clients | $tps | $latency |" >>"$RESULTS"
    echo "$tps" >"$OUT/pgbench-$name.tps"
done

echo "bench: query plans" >&2
# The prepared statements' plans after six runs, when PostgreSQL may have switched to a generic
# plan (plan_cache_mode auto): the plans the server gets once a connection is warm.
LIST_SQL="SELECT e.id, e.seq, e.member_id, u.name AS member_name, e.category_id, c.name AS category_name, \
e.amount_minor, e.currency, e.occurred_on, e.merchant, e.note, e.tags, e.version, e.created_at, e.updated_at \
FROM expenses e JOIN users u ON u.id = e.member_id \
LEFT JOIN categories c ON c.tenant_id = e.tenant_id AND c.id = e.category_id"
# Where the second page starts (read as the superuser, whom row security does not filter).
CURSOR=$(psql "${TEST_SUPERUSER_URL/\/postgres\?/\/expense_bench?}" -X -tAc \
    "SELECT occurred_on || ',' || seq FROM expenses WHERE tenant_id = '$ORG' ORDER BY occurred_on DESC, seq DESC OFFSET 50 LIMIT 1")
generic_plan() { # name parameter-types statement arguments
    psql_owner <<SQL 2>&1 | grep -v -E '^(BEGIN|COMMIT|PREPARE|SET|ROLLBACK)$' | sed '/^$/d' | grep -v "^ *set_config" | grep -v -E '^-+$' | grep -v '^ *[0-9a-f-]\{36\} *|' | grep -v '^(1 row)$'
\\pset pager off
\\pset format unaligned
\\pset tuples_only on
BEGIN;
SELECT set_config('app.tenant_id', '$ORG', true), set_config('app.user_id', '$OWNER', true) \\g /dev/null
PREPARE $1($2) AS $3;
EXECUTE $1($4) \\g /dev/null
EXECUTE $1($4) \\g /dev/null
EXECUTE $1($4) \\g /dev/null
EXECUTE $1($4) \\g /dev/null
EXECUTE $1($4) \\g /dev/null
EXECUTE $1($4) \\g /dev/null
EXPLAIN (ANALYZE, COSTS OFF, TIMING ON, SUMMARY ON) EXECUTE $1($4);
ROLLBACK;
SQL
}
{
    echo
    echo "## Plans of the prepared statements after six runs"
    for entry in \
        "token|text, text|$(echo "$TOKEN_SCOPE" | tr '\n' ' ' | sed -e 's/:org/$2/' -e 's/:hash/$1/' -e 's/; *$//')|'$TOKEN_HASH', '$ORG'" \
        "role|uuid, uuid|$(echo "$ORG_ROLE" | tr '\n' ' ' | sed -e 's/:user/$1/' -e 's/:org/$2/') FOR SHARE OF m|'$OWNER', '$ORG'" \
        "newest|uuid, bigint|$LIST_SQL WHERE e.tenant_id = \$1 ORDER BY e.occurred_on DESC, e.seq DESC LIMIT \$2|'$ORG', 51" \
        "newest_after|uuid, date, bigint, bigint|$LIST_SQL WHERE e.tenant_id = \$1 AND (e.occurred_on, e.seq) < (\$2, \$3) ORDER BY e.occurred_on DESC, e.seq DESC LIMIT \$4|'$ORG', '${CURSOR%,*}', ${CURSOR#*,}, 51"; do
        IFS='|' read -r name types statement arguments <<<"$entry"
        echo
        echo "### $name"
        echo
        echo '```'
        generic_plan "$name" "$types" "$statement" "$arguments"
        echo '```'
    done
    echo
    echo "## Plans of the report queries"
    for name in totals weekly scan; do
        echo
        echo "### $name"
        echo
        echo '```'
        sed -e 's/^SELECT occurred_on/EXPLAIN (ANALYZE, BUFFERS) SELECT occurred_on/' \
            "$OUT/$name.sql" | psql_owner -t 2>&1 | grep -v '^ *set_config' | sed '/^$/d' | grep -v "^ *$ORG *$"
        echo '```'
    done
} >>"$RESULTS"

ratio() { python3 -c "print(f'{100 * float($1) / float($2):.0f}%')" 2>/dev/null || echo "?"; }
export_rate=$(calc "$rows / $seconds")
{
    echo
    echo "## Against the targets (this run; wrk, PostgreSQL and the server share the machine's cores)"
    echo
    echo "| workload | target | the server | pgbench, the same statements | server / pgbench |"
    echo "|---|---|---|---|---|"
    echo "| log an expense (POST, bearer token), 64 connections | >= 60% of pgbench; >= 2,500 req/s, p99 < 100 ms on separate cores | $(wrk_field post rps) req/s, p50 $(wrk_field post p50), p99 $(wrk_field post p99) | $(cat "$OUT/pgbench-insert.tps") tx/s | $(ratio "$(wrk_field post rps)" "$(cat "$OUT/pgbench-insert.tps")") |"
    echo "| log an expense with one webhook endpoint subscribed, 64 connections | >= 60% of pgbench | $(wrk_field posthook rps) req/s, p50 $(wrk_field posthook p50), p99 $(wrk_field posthook p99) | $(cat "$OUT/pgbench-insert_hook.tps") tx/s | $(ratio "$(wrk_field posthook rps)" "$(cat "$OUT/pgbench-insert_hook.tps")") |"
    echo "| list the newest 50, 64 connections | >= 60% of pgbench; >= 4,000 req/s, p99 < 50 ms on separate cores | $(wrk_field list rps) req/s, p50 $(wrk_field list p50), p99 $(wrk_field list p99) | $(cat "$OUT/pgbench-list.tps") tx/s | $(ratio "$(wrk_field list rps)" "$(cat "$OUT/pgbench-list.tps")") |"
    echo "| monthly totals for a year, one connection | < 20 ms p50 | p50 $(wrk_field totals1 p50), p99 $(wrk_field totals1 p99) | | |"
    echo "| CSV export of all rows | >= 200,000 rows/s, < 20 MiB above idle | $export_rate rows/s; $(( ($(cat "$peak_file") - before_kib) / 1024 )) MiB above the $((before_kib / 1024)) MiB before | | |"
    echo "| idle memory (RssAnon + RssFile), time to ready | < 30 MiB, < 300 ms | $((idle_kib / 1024)) MiB, ${ready_ms} ms | | |"
} >>"$RESULTS"
[ -s "$OUT/perf-list.txt" ] && echo "Profile of the list benchmark: $OUT/perf-list.txt" >>"$RESULTS"

echo "bench: mail" >&2
cleanup
SERVER_PID=""
trap - EXIT
scripts/bench-mail.sh 1000 >/dev/null
echo "bench: receipts" >&2
scripts/bench-receipts.sh >/dev/null
echo "bench: import" >&2
scripts/bench-import.sh >/dev/null

echo "bench: done; results in $RESULTS" >&2
cat "$RESULTS"
