#!/usr/bin/env bash
# Import benchmark: a bank's CSV of 100,000 rows (IMPORT_ROWS) imported through the API on
# PostgreSQL, from the upload to the import's `done`, with the server's memory sampled; beside
# it, the limit: psql loading the same rows into a staging table with COPY and writing them with
# the same INSERT ... SELECT, as the application's role. Release build, loopback.
#
#   scripts/bench-import.sh            (make bench runs it too)
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=.build/bench
mkdir -p "$OUT"
RESULTS="$OUT/import.md"
ROWS=${IMPORT_ROWS:-100000}
scripts/install-deps.sh test

PGDIR=$(mktemp -d /tmp/expense-bench-import-pg.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
    scripts/test-postgres.sh stop "$PGDIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
eval "$(scripts/test-postgres.sh start "$PGDIR")"
psql "$TEST_SUPERUSER_URL" -X -q -c "CREATE DATABASE expense_bench OWNER expense_owner"
export DATABASE_URL=${TEST_DATABASE_URL/\/postgres\?/\/expense_bench?}
export LOG_LEVEL=warning DATA_DIR="$OUT/data" MAIL_DIR="$OUT/mail"

swift build -c release --product expense-tracker --static-swift-stdlib >/dev/null
BIN=$(swift build -c release --show-bin-path --static-swift-stdlib)/expense-tracker
"$BIN" migrate
ORG=$("$BIN" dev seed --orgs 1 --expenses 10 --owner-email bench@example.org --password 'correct horse battery staple')
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --port "$PORT" --no-worker >"$OUT/import-server.log" 2>&1 &
SERVER_PID=$!
until curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; do sleep 0.05; done
sleep 1
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"bench@example.org","password":"correct horse battery staple"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Two years of card payments, some identical on the same day (told apart by their occurrence).
python3 - "$ROWS" >"$OUT/import.csv" <<'PY'
import random, sys
random.seed(7)
rows = int(sys.argv[1])
merchants = ["Café de Zon", "Albert Heijn", "NS Reizen", "Shell", "Bol.com", "Kantoor & Co", "Hotel Plein"]
print("Datum;Omschrijving;Bedrag;Mededeling")
for n in range(rows):
    day = 1 + (n * 7919) % 700
    year, rest = (2025, day) if day <= 365 else (2026, day - 365)
    month = min(12, 1 + rest // 31)
    d = min(28, 1 + rest % 31)
    cents = random.randint(100, 50000)
    note = "" if n % 3 else f"ref {n % 1000}"
    print(f"{d:02d}-{month:02d}-{year};{random.choice(merchants)};-{cents // 100},{cents % 100:02d};{note}")
PY
BYTES=$(stat -c %s "$OUT/import.csv")

rss_kib() { awk '/^(RssAnon|RssFile):/{sum+=$2} END{print sum}' "/proc/$SERVER_PID/status"; }
before=$(rss_kib)
peak_file="$OUT/import-peak"
echo "$before" >"$peak_file"
( while kill -0 $SERVER_PID 2>/dev/null; do
    rss=$(rss_kib); peak=$(cat "$peak_file")
    [ "$rss" -gt "$peak" ] && echo "$rss" >"$peak_file"; sleep 0.05
  done ) &
SAMPLER=$!
start=$(date +%s.%N)
ID=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/orgs/$ORG/imports" -H "Authorization: Bearer $TOKEN" \
    --form-string format=bank-csv \
    --form-string 'mapping={"date":"Datum","merchant":"Omschrijving","amount":"Bedrag","note":"Mededeling"}' \
    --form-string date_format=DD-MM-YYYY --form-string decimal_separator=, --form-string 'delimiter=;' \
    -F "file=@$OUT/import.csv;type=text/csv" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
uploaded=$(date +%s.%N)
while true; do
    reply=$(curl -fs "http://127.0.0.1:$PORT/api/v1/orgs/$ORG/imports/$ID" -H "Authorization: Bearer $TOKEN")
    status=$(echo "$reply" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    [ "$status" != running ] && break
    sleep 0.05
done
end=$(date +%s.%N)
kill $SAMPLER 2>/dev/null || true
imported=$(echo "$reply" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["imported"], d["status"], d.get("detail"))')
peak=$(cat "$peak_file")

# The limit: the same rows as the server stages them (ids, fingerprints and tags made by the
# server are stood in for by md5 of the row number), copied and written by psql as the
# application's role.
python3 - "$ROWS" "$OUT/import.csv" >"$OUT/import-staging.tsv" <<'PY'
import hashlib, sys, uuid
rows, path = int(sys.argv[1]), sys.argv[2]
with open(path, encoding="utf-8") as f:
    next(f)
    for n, line in enumerate(f, 1):
        d, merchant, amount, note = line.rstrip("\n").split(";")
        day, month, year = d.split("-")
        minor = int(amount.lstrip("-").replace(",", ""))
        print("\t".join([str(n), str(uuid.UUID(int=n)), "\\N", str(minor), "EUR", f"{year}-{month}-{day}",
                         merchant, note, "", str(minor), hashlib.sha256(str(n).encode()).hexdigest()]))
PY
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "DELETE FROM imports" >/dev/null 2>&1 || true
cat >"$OUT/import-limit.sql" <<SQL
BEGIN;
SELECT set_config('app.tenant_id', '$ORG', true);
CREATE TEMP TABLE import_staging (seq integer, id uuid, category_id uuid, amount_minor bigint, currency text,
    occurred_on date, merchant text, note text, tags text, base_amount_minor bigint, fingerprint text) ON COMMIT DROP;
\\copy import_staging FROM '$OUT/import-staging.tsv'
INSERT INTO expenses (tenant_id, id, member_id, category_id, amount_minor, currency, occurred_on, merchant, note, tags,
                      base_amount_minor, import_fingerprint, created_at, updated_at)
SELECT '$ORG', gen_random_uuid(), (SELECT member_id FROM expenses LIMIT 1), category_id, amount_minor, currency,
       occurred_on, merchant, note, tags, base_amount_minor, fingerprint, now(), now()
FROM import_staging ORDER BY seq
ON CONFLICT (tenant_id, member_id, import_fingerprint) WHERE import_fingerprint IS NOT NULL DO NOTHING;
ROLLBACK;
SQL
limit_start=$(date +%s.%N)
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -f "$OUT/import-limit.sql" >/dev/null
limit_end=$(date +%s.%N)

calc() { python3 -c "print(round($1, 2))"; }
{
    echo "# Import benchmark $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB RAM; PostgreSQL on loopback, default settings."
    echo
    echo "| what | rows | seconds | rows/s |"
    echo "|---|---|---|---|"
    echo "| the server: upload ($((BYTES / 1024)) KiB bank CSV) to \`done\`; imported, status: $imported | $ROWS | $(calc "$end - $start") (upload $(calc "$uploaded - $start")) | $(calc "$ROWS / ($end - $start)") |"
    echo "| the limit: psql COPY into staging + the same INSERT ... SELECT, as the application role | $ROWS | $(calc "$limit_end - $limit_start") | $(calc "$ROWS / ($limit_end - $limit_start)") |"
    echo
    echo "Server memory (RssAnon + RssFile): $((before / 1024)) MiB before, $((peak / 1024)) MiB at its peak during the import."
} >"$RESULTS"
cat "$RESULTS"
