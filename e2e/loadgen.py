"""Simulated people using the API at once: each signs in, then lists, logs, edits and deletes
expenses, reads one back, reads reports and exports CSV, in a fixed mix, across the tenants.

Every change the server acknowledged is kept in a ledger (each expense's last acknowledged
amount and version, or that it was deleted), so the database can be checked against it
afterwards (loadcheck.py). A change whose outcome the client cannot know (the connection failed
after the request was sent) is kept as in doubt, with the states it may have left."""
import asyncio
import random
import time
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta

from loadhttp import Connection, ConnectionFailed

PASSWORD = "correct horse battery staple"
# Each operation's weight in the mix, and the status that means it worked.
MIX = {"sign-in": 4, "list": 24, "create": 30, "edit": 12, "delete": 4, "read": 6, "report": 14, "export": 6}
EXPECTED = {"sign-in": 200, "list": 200, "create": 201, "edit": 200, "delete": 204, "read": 200,
            "report": 200, "export": 200}
YEAR_START = date(2026, 1, 1)


def client_address(index):
    """A distinct client address per person (198.18.0.0/15, the benchmarking range), sent as
    X-Forwarded-For through the trusted proxy so per-address limits apply per person."""
    return f"198.18.{index // 250}.{index % 250 + 1}"


class Tenant:
    def __init__(self, email, org_id):
        self.email = email
        self.org_id = org_id


class Expense:
    def __init__(self, org_id, expense_id, cents, version):
        self.org_id = org_id
        self.id = expense_id
        self.cents = cents
        self.version = version
        self.live = True
        # Set when an edit or delete may or may not have happened: the (live, cents, version)
        # states the expense may be in. Nothing touches it again.
        self.doubt = None


class Ledger:
    def __init__(self):
        self.expenses = {}
        # merchant -> (org_id, cents) of creates that may or may not have happened.
        self.maybe_created = {}


class Stats:
    def __init__(self):
        self.latencies = defaultdict(list)
        self.statuses = defaultdict(Counter)
        self.failures = []  # (op, what) the run must not have
        self.connection_errors = Counter()  # (op, kind, reset) -> count
        self.connection_error_log = []  # (sent, failed, request id, what)
        self.unavailable = Counter()  # op -> 503 with Retry-After
        self.completed = 0

    def percentile(self, values, fraction):
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


async def setup_tenants(host, port, count, run_id):
    """Registers one owner per tenant (their personal organization is the tenant), each from
    its own address, before the timed run: registration is limited per address."""
    tenants = []
    connection = Connection(host, port)
    for number in range(count):
        email = f"load-{run_id}-{number}@example.org"
        headers = {"X-Forwarded-For": f"198.19.{number // 250}.{number % 250 + 1}"}
        response = await connection.request("POST", "/api/v1/auth/register", headers,
                                            {"email": email, "password": PASSWORD, "name": f"Tenant {number}"})
        assert response.status == 201, (response.status, response.body)
        response = await connection.request("POST", "/api/v1/auth/login", headers,
                                            {"email": email, "password": PASSWORD})
        assert response.status == 200, (response.status, response.body)
        token = response.json()["token"]
        response = await connection.request("GET", "/api/v1/orgs", {"Authorization": f"Bearer {token}"})
        tenants.append(Tenant(email, response.json()["items"][0]["id"]))
    await connection.close()
    return tenants


class Load:
    """`clients` people for `duration` seconds.

    `strict`: every request must get an answer, a success or 503 with Retry-After (the plain
    load test, and a database outage, where the server itself stays up); otherwise connection
    failures are expected (the server is being stopped) and recorded. `in_doubt` names the
    outcomes after which a change may or may not have happened: "unanswered" (the connection
    failed after the request was sent: a crash) and "unavailable" (a 503, which a commit the
    database lost midway answers too). Outside it, a change without its success is taken as not
    made, which the checks then hold the database to."""

    def __init__(self, host, port, tenants, clients, duration, strict=True, in_doubt=(), seed=1):
        self.host = host
        self.port = port
        self.tenants = tenants
        self.clients = clients
        self.duration = duration
        self.strict = strict
        self.in_doubt = frozenset(in_doubt)
        self.random = random.Random(seed)
        self.run_id = uuid.uuid4().hex[:8]
        self.ledger = Ledger()
        self.stats = Stats()
        self.started = self.ended = None
        self.stopping = False
        self.request_ids = set()  # ids of the requests that got a full answer

    async def run(self):
        self.started = time.monotonic()
        deadline = self.started + self.duration
        await asyncio.gather(*(self._person(index, deadline) for index in range(self.clients)))
        self.ended = time.monotonic()
        return self

    def stop(self):
        """Ends the run early: each person stops after the request under way."""
        self.stopping = True

    async def _person(self, index, deadline):
        rng = random.Random(self.random.random())
        connection = Connection(self.host, self.port)
        tenant = self.tenants[index % len(self.tenants)]
        person = {"index": index, "tenant": tenant, "token": None, "own": [], "seq": 0, "rng": rng,
                  "address": client_address(index)}
        operations, weights = zip(*MIX.items())
        # Start spread over the first half second, as people do.
        await asyncio.sleep(rng.random() * 0.5)
        while time.monotonic() < deadline and not self.stopping:
            operation = "sign-in" if person["token"] is None else rng.choices(operations, weights)[0]
            if operation in ("edit", "delete", "read") and not any(e.live and not e.doubt for e in person["own"]):
                operation = "create"
            wait = await self._operate(connection, person, operation)
            if wait:
                await asyncio.sleep(min(wait, max(0.0, deadline - time.monotonic())))
        await connection.close()

    async def _send(self, connection, person, operation, method, path, body=None, headers=None):
        """The response, or None after a connection failure; records both. The second value is
        how long to wait before the next request (Retry-After, or a pause after a failure)."""
        request_id = f"load-{self.run_id}-{person['index']}-{person['seq']}"
        person["seq"] += 1
        all_headers = {"X-Forwarded-For": person["address"], "X-Request-ID": request_id}
        if person["token"]:
            all_headers["Authorization"] = f"Bearer {person['token']}"
        all_headers.update(headers or {})
        start = time.monotonic()
        try:
            response = await connection.request(method, path, all_headers, body)
        except ConnectionFailed as failure:
            self.stats.connection_errors[(operation, failure.kind, failure.reset)] += 1
            self.stats.connection_error_log.append((start, time.monotonic(), request_id, str(failure)))
            if self.strict:
                self.stats.failures.append((operation, str(failure)))
            return None, 0.2
        self.request_ids.add(request_id)
        self.stats.completed += 1
        self.stats.statuses[operation][response.status] += 1
        if response.status == EXPECTED[operation]:
            self.stats.latencies[operation].append(time.monotonic() - start)
            return response, 0
        if response.acceptable_unavailable:
            self.stats.unavailable[operation] += 1
            return response, int(response.headers["retry-after"])
        self.stats.failures.append((operation, f"{method} {path}: {response.status} {response.body[:200]!r}"))
        return response, 0.2

    async def _operate(self, connection, person, operation):
        rng = person["rng"]
        tenant = person["tenant"]
        base = f"/api/v1/orgs/{tenant.org_id}"
        if operation == "sign-in":
            response, wait = await self._send(connection, person, operation, "POST", "/api/v1/auth/login",
                                              {"email": tenant.email, "password": PASSWORD})
            if response is not None and response.status == 200:
                person["token"] = response.json()["token"]
            return wait
        if operation == "create":
            cents = rng.randint(100, 99_999)
            merchant = f"load {self.run_id} p{person['index']} n{person['seq']}"
            day = YEAR_START + timedelta(days=rng.randint(0, 333))
            body = {"amount": f"{cents // 100}.{cents % 100:02d}", "date": day.isoformat(), "merchant": merchant}
            response, wait = await self._send(connection, person, operation, "POST", f"{base}/expenses", body)
            if response is not None and response.status == 201:
                created = response.json()
                if _cents(created["amount"]) != cents:
                    self.stats.failures.append((operation, f"created {created['amount']} for {body['amount']}"))
                expense = Expense(tenant.org_id, created["id"], cents, created["version"])
                self.ledger.expenses[expense.id] = expense
                person["own"].append(expense)
            elif self._in_doubt(response):
                self.ledger.maybe_created[merchant] = (tenant.org_id, cents)
            return wait
        if operation in ("edit", "delete", "read"):
            expense = rng.choice([e for e in person["own"] if e.live and not e.doubt])
            path = f"{base}/expenses/{expense.id}"
            if operation == "read":
                response, wait = await self._send(connection, person, operation, "GET", path)
                if response is not None and response.status == 200 and _cents(response.json()["amount"]) != expense.cents:
                    self.stats.failures.append((operation, f"{expense.id} reads {response.json()['amount']}"))
                return wait
            match = {"If-Match": f'"{expense.version}"'}
            before = (True, expense.cents, expense.version)
            if operation == "edit":
                cents = expense.cents
                while cents == expense.cents:
                    cents = rng.randint(100, 99_999)
                response, wait = await self._send(connection, person, operation, "PATCH", path,
                                                  {"amount": f"{cents // 100}.{cents % 100:02d}"}, match)
                if response is not None and response.status == 200:
                    expense.cents, expense.version = cents, response.json()["version"]
                elif self._in_doubt(response):
                    expense.doubt = [before, (True, cents, expense.version + 1)]
                return wait
            response, wait = await self._send(connection, person, operation, "DELETE", path, headers=match)
            if response is not None and response.status == 204:
                expense.live = False
            elif self._in_doubt(response):
                expense.doubt = [before, (False, None, None)]
            return wait
        if operation == "list":
            return (await self._send(connection, person, operation, "GET", f"{base}/expenses?limit=50"))[1]
        if operation == "report":
            return (await self._send(connection, person, operation, "GET", f"{base}/reports/totals?period=month"))[1]
        month = rng.randint(1, 11)
        last = (date(2026, month + 1, 1) - timedelta(days=1)).day
        path = f"{base}/exports/expenses.csv?from=2026-{month:02d}-01&to=2026-{month:02d}-{last}"
        response, wait = await self._send(connection, person, operation, "GET", path)
        if response is not None and response.status == 200 and not response.body.startswith(b"\xef\xbb\xbfdate,"):
            self.stats.failures.append((operation, f"export body starts {response.body[:40]!r}"))
        return wait

    def _in_doubt(self, response):
        """Whether a change without its success may have happened all the same."""
        if response is None:
            return "unanswered" in self.in_doubt
        return response.status == 503 and "unavailable" in self.in_doubt

    def summary(self):
        """Requests per second overall and per operation, latency percentiles, and the counts
        that are not successes."""
        elapsed = (self.ended or time.monotonic()) - self.started
        rows = []
        for operation in MIX:
            latencies = self.stats.latencies[operation]
            total = sum(self.stats.statuses[operation].values())
            rows.append({"operation": operation, "requests": total, "per_second": total / elapsed,
                         "p50_ms": 1000 * self.stats.percentile(latencies, 0.50),
                         "p99_ms": 1000 * self.stats.percentile(latencies, 0.99),
                         "unavailable": self.stats.unavailable[operation]})
        everything = [value for values in self.stats.latencies.values() for value in values]
        return {"seconds": elapsed, "requests": self.stats.completed, "per_second": self.stats.completed / elapsed,
                "p50_ms": 1000 * self.stats.percentile(everything, 0.50),
                "p99_ms": 1000 * self.stats.percentile(everything, 0.99),
                "unavailable": sum(self.stats.unavailable.values()),
                "connection_errors": sum(self.stats.connection_errors.values()),
                "failures": len(self.stats.failures), "operations": rows}


def _cents(amount):
    whole, _, fraction = amount.partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])
