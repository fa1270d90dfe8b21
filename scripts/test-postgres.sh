#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port for the test suite.
#   eval "$(scripts/test-postgres.sh start DIR)"   prints the exports the tests read
#   scripts/test-postgres.sh stop DIR
# The cluster listens on 127.0.0.1 only, trusts local connections (it holds nothing but test
# data and dies with the run), and has an ordinary role `expense_owner` (LOGIN CREATEDB, not a
# superuser, no BYPASSRLS) that the tests connect as; `postgres` is the superuser.
set -euo pipefail

command=${1:?start or stop}
dir=${2:?cluster directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [[ -z "$bin" ]]; then
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql" >&2
    exit 1
fi

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "$command" in
start)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir"; fi
    as_postgres "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    as_postgres psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
        -c "CREATE ROLE expense_owner LOGIN CREATEDB NOSUPERUSER NOBYPASSRLS" >&2
    echo "export TEST_DATABASE_URL='postgres://expense_owner@127.0.0.1:$port/postgres?sslmode=disable'"
    echo "export TEST_SUPERUSER_URL='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
    echo "export TEST_POSTGRES_PORT=$port"
    ;;
stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
