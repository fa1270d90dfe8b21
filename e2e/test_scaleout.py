"""The scale-out shape proven on loopback (scaleout.py): a session made through one server
works on the other; a rolling restart under load through HAProxy drops no request; a worker
killed with SIGKILL mid-batch loses no mail (only messages in flight may arrive twice, with
the same Message-ID); reports read from the standby match the primary's; the standby's lag is
in /metrics, and a standby that falls behind is not read.

`make test` runs it on the debug build with a short load; `make scaleout` on the release build
(built as deploy/Dockerfile builds it) with SCALEOUT_SECONDS of load per restart and more
clients. Every wait is bounded; none is a timing assertion."""
import asyncio
import json
import os
import re
import time
from collections import Counter

from loadcheck import check_everything, sign_in_all
from loadgen import PASSWORD, Load, setup_tenants
from loadhttp import Connection
from loadrun import run_async
from pgcluster import Cluster
from scaleout import MAX_LAG, http_request, metrics, wait_for

SECONDS = float(os.environ.get("SCALEOUT_SECONDS", "4"))
CLIENTS = int(os.environ.get("SCALEOUT_CLIENTS", "12"))

def _cookies(headers):
    return {cookie.split("=", 1)[0]: cookie.split(";", 1)[0].split("=", 1)[1]
            for cookie in headers.get_all("Set-Cookie") or []}


def test_a_session_made_through_one_server_works_on_the_other(scaleout):
    stack = scaleout
    one, two = stack.servers
    tenants = run_async(setup_tenants("127.0.0.1", one.port, 1, "session"))
    tenant = tenants[0]
    # API: a token issued by one server is honoured by the other.
    status, _, body = http_request(one.base_url, "POST", "/api/v1/auth/login", {"X-Forwarded-For": "198.18.0.1"},
                               {"email": tenant.email, "password": PASSWORD})
    assert status == 200, body
    token = json.loads(body)["token"]
    status, _, body = http_request(two.base_url, "GET", "/api/v1/me", {"Authorization": f"Bearer {token}"})
    assert status == 200 and json.loads(body)["user"]["email"] == tenant.email, (status, body)
    # Pages: a browser session signed in on one server posts a form (with its CSRF token) to
    # the other, and the list it is sent to shows the new expense at once: after a change the
    # browser reads the primary, whatever the standby has replayed. The standby's replay is
    # paused meanwhile (well within DATABASE_READ_MAX_LAG_SECONDS, so it is still read), so
    # the same list without that cookie, read from the standby, does not have it yet.
    status, headers, _ = http_request(one.base_url, "POST", "/login",
                                  {"Origin": stack.env["PUBLIC_BASE_URL"], "X-Forwarded-For": "198.18.0.2"},
                                  form={"email": tenant.email, "password": PASSWORD})
    assert status == 303, status
    # The session alone: the sign-in, a change like any other, also set the read_primary
    # cookie, which a browser drops a few seconds later.
    cookie = f"session={_cookies(headers)['session']}"
    status, _, page = http_request(two.base_url, "GET", f"/orgs/{tenant.org_id}/expenses/new", {"Cookie": cookie})
    assert status == 200, status
    csrf = re.search(rb'name="_csrf" value="([^"]+)"', page).group(1).decode()
    wait_for(stack.standby_caught_up, 30, "the standby to catch up")
    Cluster.sql(stack.standby.superuser_url, "SELECT pg_wal_replay_pause()")
    try:
        status, headers, _ = http_request(
            two.base_url, "POST", f"/orgs/{tenant.org_id}/expenses",
            {"Cookie": cookie, "Origin": stack.env["PUBLIC_BASE_URL"]},
            form={"_csrf": csrf, "amount": "12.34", "currency": "EUR", "date": "2026-11-02",
                  "merchant": "Across servers"})
        assert status == 303, status
        written = _cookies(headers)
        assert "read_primary" in written, written
        status, _, page = http_request(one.base_url, "GET", f"/orgs/{tenant.org_id}/expenses",
                                   {"Cookie": cookie + f"; read_primary={written['read_primary']}"})
        assert status == 200 and b"Across servers" in page, status
        status, _, page = http_request(two.base_url, "GET", f"/orgs/{tenant.org_id}/expenses", {"Cookie": cookie})
        at = page.find(b"Across servers")
        assert status == 200 and at < 0, (metrics(two, stack.metrics_token), page[max(0, at - 400):at + 40])
    finally:
        Cluster.sql(stack.standby.superuser_url, "SELECT pg_wal_replay_resume()")


def test_a_rolling_restart_under_load_through_haproxy_drops_nohttp_request(scaleout):
    stack = scaleout
    host, port = stack.proxy.address
    tenants = run_async(setup_tenants(host, port, 4, "rolling"))
    restarts = []

    async def scenario():
        # Strict: every request must get its expected answer (or 503 with Retry-After); a refused
        # or dropped connection, or HAProxy's own 503, is a failure.
        load = Load(host, port, tenants, clients=CLIENTS, duration=600, strict=True)
        running = asyncio.create_task(load.run())
        await asyncio.sleep(SECONDS)
        for server in stack.servers:
            name = f"app{stack.servers.index(server) + 1}"
            signalled = time.monotonic()
            stopping = asyncio.create_task(asyncio.to_thread(server.terminate))
            # HAProxy takes it out while it still serves (it fails readiness while draining).
            seen = set()
            while not stopping.done():
                seen.add(stack.proxy.states().get(name))
                await asyncio.sleep(0.1)
            code = await stopping
            stopped = time.monotonic() - signalled
            assert "DOWN" in seen, (name, seen)
            await asyncio.to_thread(server.start)
            await asyncio.to_thread(wait_for, lambda: stack.proxy.states().get(f"app{stack.servers.index(server) + 1}")
                                    == "UP", 30, "HAProxy to take the server back")
            restarts.append((server.name, code, round(stopped, 1)))
            await asyncio.sleep(SECONDS)
        load.stop()
        await running
        return load

    load = run_async(scenario())
    assert [code for _, code, _ in restarts] == [0, 0], restarts
    assert load.stats.failures == [], load.stats.failures[:10]
    assert sum(load.stats.connection_errors.values()) == 0, load.stats.connection_errors
    assert load.stats.completed > 100, load.stats.completed
    # The only 503s are the server's own, with Retry-After, when more sign-ins wait for a
    # password check than it takes on (by design, at the start of a large load); none from
    # HAProxy (it sends no Retry-After, so the load counts it a failure above).
    assert set(load.stats.unavailable) <= {"sign-in"}, load.stats.unavailable
    # Both servers answered: each restart sent the traffic to the other and took it back.
    wait_for(stack.standby_caught_up, 60, "the standby to catch up")
    problems, _ = run_async(check_everything(host, port, load, tenants, stack.superuser_url, PASSWORD))
    assert problems == []
    summary = load.summary()
    print(f"rolling restart: {summary['requests']} requests at {summary['per_second']:.0f}/s, "
          f"p99 {summary['p99_ms']:.0f} ms, 503s {summary['unavailable']}; restarts {restarts}")


def test_a_worker_killed_mid_batch_loses_no_mail_and_repeats_only_what_was_in_flight(scaleout):
    stack = scaleout
    first, second = stack.workers
    # One worker holds the queue while the other is stopped (gracefully: it hands its claims back).
    assert second.terminate() == 0
    host, port = stack.proxy.address
    before = stack.message_ids()
    # Each registration queues a welcome and an address confirmation.
    run_async(setup_tenants(host, port, 15, "mail"))
    wait_for(lambda: stack.outbox()["sending"] > 4, 60, "the worker to claim a batch")
    first.kill()
    killed = time.monotonic()
    # The other worker is stopped, so what is being sent now is exactly what the dead one held.
    sending = stack.message_ids("status = 'sending'")
    assert sending, "the worker died holding no claim"
    second.start()
    first.start()
    # Two workers run again, and neither takes what the dead one held before its lease runs out
    # (a round at SMTP_TIMEOUT_SECONDS plus 30 s): a moment later those claims still wait.
    time.sleep(3)
    if time.monotonic() - killed < 30:
        still = stack.message_ids("status = 'sending'")
        assert sending <= still, sending - still
    # The survivors send what was pending at once, and what the dead worker had claimed when its
    # claim runs out (a round at SMTP_TIMEOUT_SECONDS, plus 30 s).
    wait_for(lambda: set(stack.outbox()) == {"sent"}, 180, "every message to be sent", interval=1)
    queued = stack.message_ids() - before
    arrived = Counter(message["Message-ID"].strip().strip("<>") for message in stack.smtp.messages())
    assert queued <= set(arrived), queued - set(arrived)
    repeated = {message_id for message_id, count in arrived.items() if count > 1}
    # Only a message whose send was under way when the worker died can arrive twice (the relay
    # had it, the worker had not recorded it); four are sent at once.
    assert repeated <= sending, repeated - sending
    assert len(repeated) <= 4, repeated
    assert all(count <= 2 for count in arrived.values())
    print(f"worker killed holding {len(sending)} claims; {len(queued)} messages sent, "
          f"{len(repeated)} arrived twice (same Message-ID)")


def test_reports_read_from_the_standby_match_the_primary(scaleout):
    stack = scaleout
    host, port = stack.proxy.address
    tenants = run_async(setup_tenants(host, port, 3, "reports"))
    tokens = run_async(sign_in_all(host, port, tenants, PASSWORD))

    async def write_some():
        connection = Connection(host, port)
        for number, tenant in enumerate(tenants):
            for day in range(1, 13):
                response = await connection.request(
                    "POST", f"/api/v1/orgs/{tenant.org_id}/expenses", {"Authorization": f"Bearer {tokens[tenant.org_id]}"},
                    {"amount": f"{number + day}.{day:02d}", "date": f"2026-{day:02d}-0{1 + number}",
                     "merchant": f"report {number}-{day}"})
                assert response.status == 201, response.body
        await connection.close()

    run_async(write_some())
    reads_before = sum(metrics(server, stack.metrics_token).get("database_standby_reads_total", 0)
                       for server in stack.servers)
    wait_for(stack.standby_caught_up, 60, "the standby to catch up")
    for tenant in tenants:
        auth = {"Authorization": f"Bearer {tokens[tenant.org_id]}"}
        for path in (f"/api/v1/orgs/{tenant.org_id}/reports/totals?period=month&from=2026-01-01&to=2026-12-31",
                     f"/api/v1/orgs/{tenant.org_id}/exports/expenses.csv?from=2026-01-01&to=2026-12-31",
                     f"/api/v1/orgs/{tenant.org_id}/expenses?limit=100"):
            standby = http_request(f"http://{host}:{port}", "GET", path, auth)
            primary = http_request(f"http://{host}:{port}", "GET", path, dict(auth, **{"Cache-Control": "no-cache"}))
            assert standby[0] == primary[0] == 200, (standby[0], primary[0])
            assert standby[2] == primary[2], path
    reads_after = sum(metrics(server, stack.metrics_token).get("database_standby_reads_total", 0)
                      for server in stack.servers)
    # Nine reads went to the standby (three per tenant; an export's pages each count).
    assert reads_after - reads_before >= 9, (reads_before, reads_after)


def test_the_standby_lag_is_in_metrics_and_a_standby_behind_is_not_read(scaleout):
    stack = scaleout
    host, port = stack.proxy.address
    tenant = run_async(setup_tenants(host, port, 1, "lag"))[0]
    token = run_async(sign_in_all(host, port, [tenant], PASSWORD))[tenant.org_id]
    auth = {"Authorization": f"Bearer {token}"}
    base = f"http://{host}:{port}"
    for server in stack.servers:
        values = metrics(server, stack.metrics_token)
        assert values.get("database_standby_up") == 1.0, values
        assert "database_standby_lag_seconds" in values and "database_standby_lag_bytes" in values
    status, _, body = http_request(base, "POST", "/api/v1/auth/login", {"X-Forwarded-For": "198.18.0.3"},
                               {"email": tenant.email, "password": PASSWORD})
    assert status == 200, body
    other = {"Authorization": f"Bearer {json.loads(body)['token']}"}
    wait_for(stack.standby_caught_up, 30, "the standby to hold the new token")
    Cluster.sql(stack.standby.superuser_url, "SELECT pg_wal_replay_pause()")
    try:
        # Sign-in and the role check read the primary: a token signed out is refused at once,
        # though the standby (paused, and still read for a few seconds) holds it as it was.
        status, _, _ = http_request(base, "POST", "/api/v1/auth/logout", other)
        assert status == 204, status
        status, _, _ = http_request(base, "GET", f"/api/v1/orgs/{tenant.org_id}/expenses", other)
        assert status == 401, status
        status, _, body = http_request(base, "POST", f"/api/v1/orgs/{tenant.org_id}/expenses", auth,
                                   {"amount": "7.00", "date": "2026-11-03", "merchant": "Written while paused"})
        assert status == 201, body
        # The lag grows past DATABASE_READ_MAX_LAG_SECONDS on every server, which then stops
        # reading the standby: the list shows the expense the standby has not replayed.
        wait_for(lambda: all(metrics(server, stack.metrics_token).get("database_standby_up") == 0.0
                             for server in stack.servers), 30, "the servers to see the standby behind")
        lag = metrics(stack.servers[0], stack.metrics_token)
        assert lag["database_standby_lag_seconds"] > MAX_LAG and lag["database_standby_lag_bytes"] > 0, lag
        status, _, body = http_request(base, "GET", f"/api/v1/orgs/{tenant.org_id}/expenses", auth)
        assert status == 200 and b"Written while paused" in body
    finally:
        Cluster.sql(stack.standby.superuser_url, "SELECT pg_wal_replay_resume()")
    wait_for(lambda: all(metrics(server, stack.metrics_token).get("database_standby_up") == 1.0
                         for server in stack.servers), 30, "the standby to be read again")
    status, _, body = http_request(base, "GET", f"/api/v1/orgs/{tenant.org_id}/expenses", auth)
    assert status == 200 and b"Written while paused" in body
