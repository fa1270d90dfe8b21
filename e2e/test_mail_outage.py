"""An SMTP relay that refuses for a while, then is gone, then comes back: mail backs up in the
outbox and drains afterwards with nothing lost and nothing sent twice (every queued Message-ID
arrives exactly once). The server runs on PostgreSQL with its mail worker and MAIL_RETRY_SECONDS=1
(the documented first retry wait; 30 s by default), so the retries come within the test's time."""
import json
import secrets
import urllib.request
from collections import Counter

import pytest

from harness import SMTPServer, _wait_for
from loadrun import Stack
from pgcluster import Cluster


@pytest.fixture
def relay():
    servers = [SMTPServer()]
    yield servers
    for server in servers:
        if server.process.poll() is None:
            server.stop()


def register(stack, count):
    """`count` new accounts, each from its own address: a welcome and a confirmation each."""
    for _ in range(count):
        a, b = secrets.token_bytes(2)
        request = urllib.request.Request(
            stack.server.base_url + "/api/v1/auth/register", method="POST",
            data=json.dumps({"email": f"outage-{secrets.token_hex(6)}@example.org", "name": "Outage",
                             "password": "correct horse battery staple"}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": f"198.18.{a}.{b % 250 + 1}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201


def outbox(stack):
    """{message id: (status, attempts)}."""
    rows = Cluster.sql(stack.superuser_url, "SELECT message_id, status, attempts FROM outbox")
    return {row[0].strip("<>"): (row[1], int(row[2])) for row in rows}


def received(relay):
    return Counter(message["Message-ID"].strip().strip("<>") for message in relay.messages())


def test_mail_backs_up_while_the_relay_refuses_or_is_gone_then_drains_each_message_once(relay, pg_cluster):
    stack = Stack(cluster=pg_cluster, smtp=relay[0], extra_env={"MAIL_RETRY_SECONDS": "1"})
    try:
        register(stack, 3)
        _wait_for(lambda: len(received(relay[0])) == 6, 60, "the first mail to arrive")

        # The relay answers 451 to every recipient: the new mail is tried, kept and retried.
        relay[0].refuse()
        register(stack, 3)
        _wait_for(lambda: sum(1 for status, attempts in outbox(stack).values()
                              if status == "pending" and attempts >= 2) >= 6, 60, "retries while refused")
        # Then it is gone altogether (connections refused).
        relay[0].stop()
        register(stack, 3)
        _wait_for(lambda: sum(1 for status, attempts in outbox(stack).values()
                              if status == "pending" and attempts >= 1) >= 12, 60, "retries while gone")
        assert len(received(relay[0])) == 6

        # Back, on the same address, accepting again.
        relay[0].refuse(False)
        relay.append(SMTPServer(port=relay[0].port, directory=relay[0].directory))
        _wait_for(lambda: {status for status, _ in outbox(stack).values()} == {"sent"}, 90, "the backlog to drain")
        queued = outbox(stack)
        assert len(queued) == 18
        assert received(relay[1]) == Counter(queued.keys()), "a message arrived other than exactly once"
        retried = sum(1 for _, attempts in queued.values() if attempts > 1)
        print(f"18 messages, {retried} of them retried, each received once")
        assert retried >= 12
    finally:
        stack.close()
