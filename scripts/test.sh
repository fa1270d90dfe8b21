#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, starts a throwaway PostgreSQL
# cluster on a free loopback port, runs the Swift tests against SQLite and PostgreSQL, then the
# end-to-end checks of the built binary and the browser journeys, and stops the cluster
# whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test

# Style is checked, not discussed: `make format` fixes what this reports.
swift format lint --strict --recursive Package.swift Sources Tests Migrations/MigrationFiles.swift

pgdir=$(mktemp -d /tmp/expense-tracker-pg.XXXXXX)
trap 'scripts/test-postgres.sh stop "$pgdir"' EXIT
# Fails the run (never skips the PostgreSQL tests) when the cluster cannot start.
eval "$(scripts/test-postgres.sh start "$pgdir")"
export EXPENSE_TRACKER_REQUIRE_POSTGRES=1
# The SMTP tests must run, not skip, under the test command (aiosmtpd is installed above).
export EXPENSE_TRACKER_REQUIRE_SMTP=1
echo "PostgreSQL test cluster on 127.0.0.1:$TEST_POSTGRES_PORT"

swift build --build-tests
swift test --skip-build
BIN=.build/debug/expense-tracker scripts/smoke-test.sh
# The browser journeys: the built server, a real SMTP server and Chromium; and the short load
# test and the fault tests (SIGKILL, PostgreSQL restarted, SIGTERM, an SMTP outage) against
# PostgreSQL clusters of their own (e2e/README.md).
BIN=.build/debug/expense-tracker python3 -m pytest e2e -q -p no:cacheprovider
