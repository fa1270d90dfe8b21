"""Faults under load, against the built server on a real PostgreSQL cluster: the server killed
with SIGKILL, PostgreSQL stopped and started again, and SIGTERM. Each run is followed by the
checks of loadcheck.py (every acknowledged change there, nothing unacknowledged, totals equal
to their rows, nothing half-written). Every wait is bounded; none is a timing assertion."""
import asyncio
import json
import signal
import time
from collections import Counter

from harness import SMTPServer
from loadcheck import check_everything, sign_in_all
from loadgen import PASSWORD, Load, setup_tenants
from loadhttp import Connection
from loadrun import Stack, run_async
from pgcluster import Cluster


async def eventually(predicate, timeout, what):
    """Polls until `predicate()` holds; a hang guard, not a measurement."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def run(stack, scenario):
    try:
        run_async(scenario)
    finally:
        stack.close()


def test_kill_9_under_load_keeps_every_acknowledged_expense_and_nothing_half_written(pg_cluster):
    stack = Stack(cluster=pg_cluster)
    run(stack, _kill_under_load(stack))


async def _kill_under_load(stack):
    host, port = stack.address
    tenants = await setup_tenants(host, port, 4, "kill")
    load = Load(host, port, tenants, clients=40, duration=120, strict=False, in_doubt={"unanswered", "unavailable"})
    running = asyncio.create_task(load.run())
    await eventually(lambda: len(load.ledger.expenses) >= 150, 60, "expenses under load")
    stack.server.kill()
    load.stop()
    await running
    assert load.stats.connection_errors, "the kill met no request in flight"
    assert load.stats.failures == []

    stack.start_server()
    problems, committed = await check_everything(*stack.address, load, tenants, stack.superuser_url, PASSWORD)
    assert problems == []
    print(f"acknowledged {len(load.ledger.expenses)} expenses before the kill; "
          f"{sum(load.stats.connection_errors.values())} requests cut off, {committed} of their creates committed")


def test_database_restart_under_load_answers_503_then_the_same_process_recovers():
    # A cluster of its own: this one is stopped and started again.
    own = Cluster()
    stack = Stack(cluster=own, extra_env={"DATABASE_POOL_TIMEOUT_SECONDS": "2"})
    try:
        run(stack, _database_restart(stack, own))
    finally:
        own.destroy()


async def _database_restart(stack, cluster):
    host, port = stack.address
    tenants = await setup_tenants(host, port, 4, "restart")
    tokens = await sign_in_all(host, port, tenants, PASSWORD)
    org = tenants[0].org_id
    auth = {"Authorization": f"Bearer {tokens[org]}"}
    # The server stays up throughout: every request gets an answer (strict). A 503 to a change
    # may come from a commit the database lost midway, so its outcome is in doubt.
    load = Load(host, port, tenants, clients=30, duration=180, strict=True, in_doubt={"unavailable"})
    running = asyncio.create_task(load.run())
    await eventually(lambda: len(load.ledger.expenses) >= 100, 60, "expenses under load")
    pid = stack.server.process.pid

    stopped = time.monotonic()
    await asyncio.to_thread(cluster.stop_server)
    # PostgreSQL stays down until this answers: a request that waited for the database to come
    # back would time out here instead (the probe's own limit is a hang guard).
    probe = Connection(host, port, timeout=30)
    response = await probe.request("GET", f"/api/v1/orgs/{org}/expenses?limit=5", auth)
    assert response.status == 503 and response.headers.get("retry-after", "").isdigit(), response.body
    ready = await probe.request("GET", "/health/ready")
    assert ready.status == 503
    assert ready.json() == {"status": "unavailable", "database": "unreachable", "schema": "unknown"}
    await eventually(lambda: sum(load.stats.unavailable.values()) > 0, 30, "503s to the load while down")
    down_answers = sum(load.stats.unavailable.values())

    await asyncio.to_thread(cluster.start_server)

    async def ready_again():
        while (await probe.request("GET", "/health/ready")).status != 200:
            await asyncio.sleep(0.2)

    await asyncio.wait_for(ready_again(), 60)
    assert stack.server.process.poll() is None and stack.server.process.pid == pid
    response = await probe.request("GET", f"/api/v1/orgs/{org}/expenses?limit=5", auth)
    assert response.status == 200
    # The load carries on succeeding.
    count = len(load.ledger.expenses)
    await eventually(lambda: len(load.ledger.expenses) >= count + 50, 60, "expenses after the restart")
    load.stop()
    await running
    await probe.close()
    # The server stays up: every request sent after PostgreSQL stopped is answered. Of those
    # under way as it stopped, an export already streaming ends cut short when its next page
    # cannot be read (its 200 was sent; a cut is how HTTP says the body is incomplete), and a
    # statement whose connection closed in the microseconds between the server's check and
    # postgres-nio's write is never answered by the driver (a known gap, reported not failed).
    in_flight = {request_id for sent, _, request_id, _ in load.stats.connection_error_log if sent <= stopped}
    late = [entry for entry in load.stats.connection_error_log if entry[2] not in in_flight]
    assert late == []
    cut = [entry for entry in load.stats.connection_error_log if entry[2] in in_flight]

    def excused(what):
        return what.startswith("timeout") or (what.startswith("truncated") and "/exports/" in what)

    assert all(excused(what) for _, _, _, what in cut), cut
    assert [failure for failure in load.stats.failures if not excused(failure[1])] == []

    problems, committed = await check_everything(host, port, load, tenants, stack.superuser_url, PASSWORD)
    assert problems == []
    print(f"{down_answers} requests answered 503 while PostgreSQL was down; "
          f"{sum(load.stats.unavailable.values())} in all; {committed} in-doubt creates committed; "
          f"under way as it stopped and never answered whole: {cut}")


def test_sigterm_under_load_finishes_requests_in_flight_and_hands_back_mail_claims(pg_cluster):
    # A slow relay (three seconds a message), so the worker is mid-batch at the signal.
    smtp = SMTPServer(options=("--delay", "3"))
    stack = Stack(cluster=pg_cluster, smtp=smtp, extra_env={"LOG_LEVEL": "info", "LOG_FORMAT": "json"})
    try:
        run(stack, _sigterm_under_load(stack, smtp))
    finally:
        smtp.stop()


def _outbox(stack, column="status"):
    return Counter(row[0] for row in Cluster.sql(stack.superuser_url, f"SELECT {column} FROM outbox"))


async def _sigterm_under_load(stack, smtp):
    host, port = stack.address
    tenants = await setup_tenants(host, port, 4, "term")
    # No change is in doubt: a request the server had not read when it closed the connection was
    # not made, and one it had read must be answered; the checks hold the database to that.
    load = Load(host, port, tenants, clients=40, duration=180, strict=False, in_doubt=())
    running = asyncio.create_task(load.run())
    await eventually(lambda: len(load.ledger.expenses) >= 100, 60, "expenses under load")
    # More mail (a welcome and a confirmation each) than the relay takes, until the worker holds
    # at least five claims beyond the four it sends at once. However soon the sends under way
    # finish after this is seen, the next four leave one claim unstarted for a whole relay delay,
    # which is far longer than the signal takes to arrive.
    registering = asyncio.create_task(setup_tenants(host, port, 16, "term-mail"))
    await eventually(lambda: _outbox(stack)["sending"] >= 9, 90, "the worker to claim a batch")

    signalled = time.monotonic()
    stack.server.process.send_signal(signal.SIGTERM)
    # Hang guard: the grace period (20 s by default) plus slack.
    code = await asyncio.to_thread(stack.server.process.wait, 40)
    stopped_after = time.monotonic() - signalled
    # Registrations still going when the server stopped only made mail; they need no answer.
    registering.cancel()
    await asyncio.gather(registering, return_exceptions=True)
    load.stop()
    await running
    stack.server.log.close()
    assert code == 0, stack.server.log_path.read_text()[-3000:]

    lines = []
    for text in stack.server.log_path.read_text().splitlines():
        try:
            lines.append(json.loads(text))
        except ValueError:
            pass
    finished = {line["request_id"] for line in lines
                if line.get("message") == "request" and line.get("request_id", "").startswith("load-")}
    assert finished, "no request was logged"
    assert finished - load.request_ids == set(), "requests the server finished never reached the client"
    kinds = Counter(kind for (_, kind, _), count in load.stats.connection_errors.items() for _ in range(count))
    assert set(kinds) <= {"refused", "closed"}, kinds
    assert all(failed >= signalled for _, failed, _, _ in load.stats.connection_error_log)
    assert load.stats.failures == []

    # The worker finished the sends under way and handed the other claims back.
    assert any(line.get("message") == "mail worker stopping; unsent messages released" for line in lines)
    statuses = _outbox(stack)
    assert statuses["sending"] == 0 and statuses["pending"] > 0, statuses
    released = Cluster.sql(stack.superuser_url, "SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts > 0")
    assert released == [["0"]]
    assert received_ids(smtp) == Counter(_ids(stack, "sent")), "sent mail arrived other than once"

    stack.start_server()
    problems, _ = await check_everything(*stack.address, load, tenants, stack.superuser_url, PASSWORD)
    assert problems == []
    # The restarted worker sends the rest, each message once.
    await eventually(lambda: set(_outbox(stack)) == {"sent"}, 90, "the outbox to drain")
    assert received_ids(smtp) == Counter(_ids(stack, "sent")), "mail arrived other than once"
    print(f"stopped {stopped_after:.1f} s after SIGTERM; {len(finished)} requests finished; "
          f"after the signal: {dict(kinds)}; outbox at exit: {dict(statuses)}")


def _ids(stack, status):
    rows = Cluster.sql(stack.superuser_url, f"SELECT message_id FROM outbox WHERE status = '{status}'")
    return [row[0].strip("<>") for row in rows]


def received_ids(smtp):
    """How many times each Message-ID arrived at the relay."""
    return Counter(message["Message-ID"].strip().strip("<>") for message in smtp.messages())
