#!/usr/bin/env bash
# End-to-end checks of the built binary, as an operator would run it:
#   - `serve` on the embedded default creates the SQLite file, answers /health/ready 200, writes
#     a registration's emails under data/mail, and exits 0 on SIGINT;
#   - `migrate` against a fresh PostgreSQL database exits 0, twice;
#   - `serve` on PostgreSQL refuses a pending schema, then a superuser, each with a clear message;
#   - a bad setting stops start-up with every problem named;
#   - `dev seed` writes generated organizations and prints their ids.
# Needs TEST_DATABASE_URL and TEST_SUPERUSER_URL (scripts/test-postgres.sh) and a built binary.
set -uo pipefail

bin=${BIN:-.build/debug/expense-tracker}
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d /tmp/expense-tracker-smoke.XXXXXX)
passed=0
failed=0
server_pid=""
suffix=$(date +%s)_$$

cleanup() {
    if [[ -n "$server_pid" ]]; then kill -9 "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

check() {
    local name=$1
    shift
    if "$@"; then
        echo "smoke ok:     $name"
        passed=$((passed + 1))
    else
        echo "smoke FAILED: $name"
        failed=$((failed + 1))
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

serves_embedded_default() {
    local port
    port=$(free_port)
    (cd "$work" && exec env -u DATABASE_URL HTTP_PORT="$port" "$bin" serve >"$work/serve.log" 2>&1) &
    server_pid=$!
    local body=""
    for _ in $(seq 1 100); do
        body=$(curl -fsS "http://127.0.0.1:$port/health/ready" 2>/dev/null) && break
        sleep 0.1
    done
    curl -fsS "http://127.0.0.1:$port/api/openapi.yaml" -o "$work/openapi.yaml" 2>/dev/null
    curl -fsS "http://127.0.0.1:$port/login" -o "$work/login.html" 2>/dev/null
    # Registering queues a welcome and a confirmation email; the in-process worker writes them.
    curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth/register" -H 'content-type: application/json' \
        -d '{"email":"smoke@example.org","password":"a smoke test passphrase","name":"Smoke"}' >/dev/null 2>&1
    for _ in $(seq 1 100); do
        [[ $(ls "$work/data/mail" 2>/dev/null | wc -l) -ge 2 ]] && break
        sleep 0.1
    done
    kill -INT "$server_pid" 2>/dev/null
    local status=0
    wait "$server_pid" 2>/dev/null || status=$?
    server_pid=""
    [[ "$body" == '{"database":"ok","schema":"current","status":"ok"}' ]] \
        && [[ -f "$work/data/expense-tracker.sqlite" ]] \
        && grep -q 'path=/health/ready' "$work/serve.log" \
        && [[ $status -eq 0 ]] \
        || { echo "serve exited with $status"; cat "$work/serve.log"; return 1; }
}

database_url() {
    # The test cluster's URL with its database name replaced.
    local base=$1 name=$2
    echo "${base%%/postgres\?*}/$name?${base#*\?}"
}

migrates_postgres_twice() {
    psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE smoke_migrate_$suffix" || return 1
    local url
    url=$(database_url "$TEST_DATABASE_URL" "smoke_migrate_$suffix")
    "$bin" migrate --database-url "$url" >"$work/migrate1.log" 2>&1 || { cat "$work/migrate1.log"; return 1; }
    "$bin" migrate --database-url "$url" >"$work/migrate2.log" 2>&1 || { cat "$work/migrate2.log"; return 1; }
    grep -q "migrations applied" "$work/migrate1.log" && grep -q "nothing to apply" "$work/migrate2.log"
}

refuses_pending_schema() {
    psql "$TEST_DATABASE_URL" -qc "CREATE DATABASE smoke_pending_$suffix" || return 1
    local url
    url=$(database_url "$TEST_DATABASE_URL" "smoke_pending_$suffix")
    if HTTP_PORT=0 "$bin" serve --database-url "$url" >"$work/pending.log" 2>&1; then return 1; fi
    grep -q "schema is behind" "$work/pending.log" || { cat "$work/pending.log"; return 1; }
}

refuses_superuser() {
    local url
    url=$(database_url "$TEST_SUPERUSER_URL" "smoke_migrate_$suffix")
    if HTTP_PORT=0 "$bin" serve --database-url "$url" >"$work/superuser.log" 2>&1; then return 1; fi
    grep -q 'role "postgres" is a superuser' "$work/superuser.log" || { cat "$work/superuser.log"; return 1; }
}

reports_every_bad_setting() {
    local status=0
    (cd "$work" && HTTP_PORT=eighty LOG_FORMAT=xml "$bin" serve >"$work/config.log" 2>&1) || status=$?
    [[ $status -eq 78 ]] && grep -q "HTTP_PORT" "$work/config.log" && grep -q "LOG_FORMAT" "$work/config.log" \
        || { cat "$work/config.log"; return 1; }
}

serves_a_valid_openapi_description() {
    python3 - "$work/openapi.yaml" <<'PY'
import sys, yaml
from openapi_spec_validator import validate
spec = yaml.safe_load(open(sys.argv[1]))
validate(spec)
assert spec["openapi"].startswith("3.1"), spec["openapi"]
assert "/api/v1/auth/login" in spec["paths"], "login route missing"
assert "/api/v1/orgs/{orgId}/reports/totals" in spec["paths"], "totals route missing"
PY
}

seeds_generated_data() {
    (cd "$work" && env -u DATABASE_URL "$bin" dev seed --data-dir "$work/seeded" --orgs 2 --expenses 500 \
        >"$work/seed.out" 2>"$work/seed.log") \
        && [[ $(grep -cE '^[0-9a-f-]{36}$' "$work/seed.out") -eq 2 ]] && grep -q "expenses=1000" "$work/seed.log" \
        || { cat "$work/seed.out" "$work/seed.log"; return 1; }
}

writes_mail_to_files() {
    local files
    files=$(ls "$work/data/mail"/*.eml 2>/dev/null | wc -l)
    [[ $files -eq 2 ]] && grep -q "Subject: Welcome to ExpenseTracker" "$work"/data/mail/*.eml \
        && grep -q 'mail written' "$work/serve.log" || { ls -la "$work/data/mail" 2>&1; return 1; }
}

mail_status_counts_the_queue() {
    (cd "$work" && env -u DATABASE_URL "$bin" mail status >"$work/mail-status.txt" 2>&1) \
        && grep -q " sent=2\b" "$work/mail-status.txt" && grep -q " pending=0\b" "$work/mail-status.txt" \
        || { cat "$work/mail-status.txt"; return 1; }
}

serves_the_login_page() {
    grep -q '<label for="email">Email</label>' "$work/login.html" && grep -q 'action="/login"' "$work/login.html"
}

check "serve on the embedded default answers /health/ready" serves_embedded_default
check "GET /api/openapi.yaml is a valid OpenAPI 3.1 document" serves_a_valid_openapi_description
check "GET /login serves the login page" serves_the_login_page
check "registering on the embedded default writes its emails under data/mail" writes_mail_to_files
check "mail status counts them as sent" mail_status_counts_the_queue
check "migrate on a fresh PostgreSQL database, twice" migrates_postgres_twice
check "serve refuses a PostgreSQL schema that is behind" refuses_pending_schema
check "serve refuses a PostgreSQL superuser" refuses_superuser
check "a bad configuration names every bad setting" reports_every_bad_setting
check "dev seed writes organizations and expenses and prints their ids" seeds_generated_data

echo "smoke: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
