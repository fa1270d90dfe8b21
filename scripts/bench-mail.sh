#!/usr/bin/env bash
# Mail throughput: 1,000 queued messages sent by `expense-tracker worker` through the SMTP
# transport to a real SMTP server (aiosmtpd) on loopback, on PostgreSQL.
#
#   scripts/bench-mail.sh [MESSAGES]      (make bench runs it too)
set -euo pipefail
cd "$(dirname "$0")/.."

MESSAGES=${1:-1000}
OUT=.build/bench
mkdir -p "$OUT"
scripts/install-deps.sh test

PGDIR=$(mktemp -d /tmp/expense-bench-mail-pg.XXXXXX)
MAILDIR=$(mktemp -d /tmp/expense-bench-mail.XXXXXX)
SMTP_PID=""
WORKER_PID=""
cleanup() {
    [ -n "$WORKER_PID" ] && kill "$WORKER_PID" 2>/dev/null || true
    [ -n "$SMTP_PID" ] && kill -9 "$SMTP_PID" 2>/dev/null || true
    scripts/test-postgres.sh stop "$PGDIR" >/dev/null 2>&1 || true
    rm -rf "$MAILDIR"
}
trap cleanup EXIT
eval "$(scripts/test-postgres.sh start "$PGDIR")"
psql "$TEST_SUPERUSER_URL" -X -q -c "CREATE DATABASE expense_bench OWNER expense_owner"
export DATABASE_URL=${TEST_DATABASE_URL/\/postgres\?/\/expense_bench?}
export LOG_LEVEL=warning DATA_DIR="$OUT/data"

# The same release build as make bench (Swift runtime linked statically, as the image does).
swift build -c release --product expense-tracker --static-swift-stdlib >/dev/null
BIN=$(swift build -c release --show-bin-path --static-swift-stdlib)/expense-tracker
"$BIN" migrate

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 scripts/smtp-test-server.py "$PORT" "$MAILDIR" >/dev/null &
SMTP_PID=$!
sleep 1

psql "$DATABASE_URL" -X -q -c "
INSERT INTO outbox (id, message_id, kind, recipient, subject, body_text, body_html, next_attempt_at, created_at)
SELECT gen_random_uuid(), '<bench-' || n || '@example.org>', 'welcome', 'user' || n || '@example.org',
       'Welcome to ExpenseTracker', 'Hello, start here: https://expenses.example.org/dashboard', '<p>Hello</p>',
       now(), now()
FROM generate_series(1, $MESSAGES) AS n"

start=$(date +%s%N)
MAIL_TRANSPORT=smtp SMTP_URL="smtp://127.0.0.1:$PORT" SMTP_STARTTLS=off "$BIN" worker &
WORKER_PID=$!
until [ "$(psql "$DATABASE_URL" -X -tA -c "SELECT count(*) FROM outbox WHERE status = 'sent'")" -ge "$MESSAGES" ]; do
    sleep 0.05
done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
received=$(ls "$MAILDIR" | grep -c '\.eml$')
line="- Mail: $MESSAGES queued messages sent by \`worker\` over SMTP to aiosmtpd on loopback in ${ms} ms = $(python3 -c "print(round($MESSAGES * 1000 / $ms))") messages/s ($received received; worker start included)."
echo "$line" | tee -a "$OUT/results.md"
