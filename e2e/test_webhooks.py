"""Webhooks through the built server, on SQLite and on PostgreSQL: a receiver on loopback checks
every delivery's signature with an independent implementation of the Standard Webhooks
specification (the `standardwebhooks` package), sees each event once it answers 200, sees the
retries after a 500 with the same webhook-id and nothing after its 200; the delivery log shows
each attempt. Without WEBHOOK_ALLOW_PRIVATE a loopback target is refused."""
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook

from harness import SMTPServer, Server
from harness import api_call as call
from journeys import PASSWORD
from loadrun import Stack
from pgcluster import Cluster
from scaleout import Process


class Receiver:
    """An HTTP server on loopback that records each request and answers from a script, after
    `delay` seconds."""

    def __init__(self, delay=0.0):
        self.requests = []
        self.answers = []  # statuses to answer next, in order; 200 once it is empty
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                with receiver.lock:
                    receiver.requests.append((dict(self.headers), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"thanks" if status == 200 else b"try later")
                except BrokenPipeError:
                    pass  # a worker killed while waiting for this answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"

    def of_type(self, type_):
        with self.lock:
            return [(headers, body) for headers, body in self.requests if json.loads(body)["type"] == type_]

    def stop(self):
        self.server.shutdown()


def owner_of_an_organization(server, email):
    call(server, "POST", "/api/v1/auth/register", body={"email": email, "password": PASSWORD, "name": "Wen"})
    _, login = call(server, "POST", "/api/v1/auth/login", body={"email": email, "password": PASSWORD})
    token = login["token"]
    _, orgs = call(server, "GET", "/api/v1/orgs", token)
    return token, orgs["items"][0]["id"]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_signed_deliveries_retries_and_the_delivery_log(request, database):
    smtp, receiver = SMTPServer(), Receiver()
    env = {"WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_SECONDS": "1", "SECRET_KEY": "k" * 40}
    if database == "postgres":
        stack = Stack(cluster=request.getfixturevalue("pg_cluster"), smtp=smtp, extra_env=env)
        server, stop = stack.server, stack.close
    else:
        server = Server(smtp, env)
        stop = server.stop
    try:
        token, org = owner_of_an_organization(server, "wen@example.org")
        status, endpoint = call(server, "POST", f"/api/v1/orgs/{org}/webhooks", token,
                                {"url": receiver.url, "events": ["expense.created", "expense.deleted"],
                                 "description": "Books sync"})
        assert status == 201, endpoint
        secret = endpoint["secret"]
        assert secret.startswith("whsec_")
        # The secret is shown once: never in a later read.
        _, read = call(server, "GET", f"/api/v1/orgs/{org}/webhooks/{endpoint['id']}", token)
        assert "secret" not in read and read["events"] == ["expense.created", "expense.deleted"]

        # Two 500s, then 200: three attempts of one delivery, each with the same webhook-id.
        receiver.answers = [500, 500]
        _, expense = call(server, "POST", f"/api/v1/orgs/{org}/expenses", token, {"amount": "12.50", "date": "2026-11-03"})
        wait_for(lambda: len(receiver.of_type("expense.created")) >= 3, 60, "three attempts")
        attempts = receiver.of_type("expense.created")
        verifier = Webhook(secret)
        for headers, body in attempts:
            payload = verifier.verify(body, {k.lower(): v for k, v in headers.items()})
            assert payload["data"]["id"] == expense["id"] and payload["organization_id"] == org
        assert len({headers["webhook-id"] for headers, _ in attempts}) == 1
        # An edit is not an event this endpoint takes; after its 200 nothing more comes.
        call(server, "PATCH", f"/api/v1/orgs/{org}/expenses/{expense['id']}", token, {"note": "changed"})
        time.sleep(4)
        assert len(receiver.of_type("expense.created")) == 3
        assert receiver.of_type("expense.updated") == []

        # A forged signature is caught by the receiver's verifier (the check is not vacuous).
        headers, body = attempts[-1]
        forged = {k.lower(): v for k, v in headers.items()}
        with pytest.raises(Exception):
            verifier.verify(body.replace(b"12.50", b"99.50"), forged)

        status, log = call(server, "GET", f"/api/v1/orgs/{org}/webhooks/{endpoint['id']}/deliveries", token)
        assert status == 200
        delivery = next(item for item in log["items"] if item["event_type"] == "expense.created")
        assert delivery["status"] == "delivered"
        assert [attempt["status_code"] for attempt in delivery["attempts"]] == [500, 500, 200]
        assert delivery["attempts"][0]["response"] == "try later"
        assert delivery["webhook_id"] == attempts[0][0]["webhook-id"]

        # Deleting the expense is delivered once; "send a test event" reaches this endpoint.
        call(server, "DELETE", f"/api/v1/orgs/{org}/expenses/{expense['id']}", token)
        assert call(server, "POST", f"/api/v1/orgs/{org}/webhooks/{endpoint['id']}/test", token)[0] == 202
        wait_for(lambda: receiver.of_type("expense.deleted") and receiver.of_type("webhook.test"), 30, "delete and test")
        time.sleep(2)
        assert len(receiver.of_type("expense.deleted")) == 1 and len(receiver.of_type("webhook.test")) == 1
        for headers, body in receiver.of_type("expense.deleted") + receiver.of_type("webhook.test"):
            verifier.verify(body, {k.lower(): v for k, v in headers.items()})
    finally:
        stop()
        smtp.stop()
        receiver.stop()


def test_private_targets_are_refused_unless_allowed():
    server = Server(None, {"WEBHOOK_ALLOW_PRIVATE": "false"})
    try:
        refused_everywhere_private(server)
    finally:
        server.stop()


def refused_everywhere_private(server):
    token, org = owner_of_an_organization(server, "pat@example.org")
    for url in ("http://127.0.0.1:9/hooks", "https://127.0.0.1/hooks", "https://localhost/hooks",
                "https://169.254.169.254/latest", "https://[::1]/hooks", "https://10.1.2.3/hooks"):
        status, problem = call(server, "POST", f"/api/v1/orgs/{org}/webhooks", token,
                               {"url": url, "events": ["expense.created"]})
        assert status == 422, (url, status, problem)
        assert [error["field"] for error in problem["errors"]] == ["url"], problem
    _, listed = call(server, "GET", f"/api/v1/orgs/{org}/webhooks", token)
    assert listed["items"] == []


def test_a_worker_killed_mid_batch_loses_no_delivery(request):
    """Two workers on PostgreSQL deliver to a slow receiver; one is killed (SIGKILL) holding
    claims. Every delivery arrives; only those it held may arrive twice, with their webhook-id."""
    smtp, receiver = SMTPServer(), Receiver(delay=1.0)
    env = {"WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_RETRY_SECONDS": "1", "WEBHOOK_TIMEOUT_SECONDS": "3",
           "SECRET_KEY": "k" * 40}
    stack = Stack(cluster=request.getfixturevalue("pg_cluster"), smtp=smtp, extra_env=env,
                  args=("serve", "--no-worker"))
    worker_env = dict(stack.env, PATH=os.environ.get("PATH", "/usr/bin:/bin"), HOME=os.environ.get("HOME", "/root"),
                      MAIL_TRANSPORT="smtp", SMTP_URL=f"smtp://127.0.0.1:{smtp.port}", SMTP_STARTTLS="off",
                      LOG_LEVEL="info")
    workers = []
    try:
        token, org = owner_of_an_organization(stack.server, "kim@example.org")
        status, endpoint = call(stack.server, "POST", f"/api/v1/orgs/{org}/webhooks", token,
                                {"url": receiver.url, "events": ["expense.created"]})
        assert status == 201, endpoint
        for day in range(1, 25):
            call(stack.server, "POST", f"/api/v1/orgs/{org}/expenses", token, {"amount": f"{day}.00", "date": f"2026-10-{day:02d}"})
        workers = [Process(stack.binary, ("worker",), worker_env, f"webhook-worker-{n}") for n in range(2)]

        def in_flight():
            return Cluster.sql(stack.superuser_url, "SELECT message_id FROM webhook_deliveries WHERE status = 'sending'")

        wait_for(lambda: receiver.requests and len(in_flight()) >= 4, 60, "claims in flight")
        held = {row[0] for row in in_flight()}
        workers[0].process.send_signal(signal.SIGKILL)
        workers[0].process.wait(10)

        def done():
            return Cluster.sql(stack.superuser_url, "SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'") == [["0"]]

        wait_for(done, 120, "every delivery to be delivered")
        sent = [row[0] for row in Cluster.sql(stack.superuser_url, "SELECT message_id FROM webhook_deliveries")]
        arrived = [headers["webhook-id"] for headers, _ in receiver.of_type("expense.created")]
        assert len(sent) == 24 and set(arrived) == set(sent), "a delivery was lost"
        repeated = {message for message in arrived if arrived.count(message) > 1}
        assert repeated <= held, (repeated, held)
        assert all(arrived.count(message) <= 2 for message in arrived)
        print(f"{len(held)} deliveries in flight at the kill; {len(repeated)} arrived twice")
    finally:
        for worker in workers:
            if worker.process.poll() is None:
                worker.process.kill()
        stack.close()
        smtp.stop()
        receiver.stop()
