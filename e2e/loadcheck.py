"""After a load or fault run: the database and the API against what the server acknowledged.

- every acknowledged expense is there with its last acknowledged amount and version, and
  readable through the API; every acknowledged delete is gone (404);
- no expense exists that nobody was told about, except changes left in doubt by a failure;
- each tenant's totals (the API's report) equal the sum of its expenses;
- nothing is half-written: every expense has its creation in the audit log and one update
  entry per version after the first, every delete is audited, no creation is audited without
  its expense, and the per-day sums table equals the sums of the rows it summarizes.
Each check returns a list of problems; an empty list is a pass."""
import asyncio
from collections import defaultdict

from loadhttp import Connection
from pgcluster import Cluster

NIL = "00000000-0000-0000-0000-000000000000"


def database_rows(superuser_url, run_id):
    """{id: (tenant, merchant, cents, version)} of the run's expenses, read past row security."""
    rows = Cluster.sql(superuser_url, "SELECT tenant_id, id, merchant, amount_minor, version FROM expenses "
                                      f"WHERE merchant LIKE 'load {run_id} %'")
    return {row[1]: (row[0], row[2], int(row[3]), int(row[4])) for row in rows}


def reconcile(load, rows):
    """The database against the ledger. Returns (problems, committed in-doubt creates)."""
    problems = []
    seen = set()
    for expense in load.ledger.expenses.values():
        row = rows.get(expense.id)
        state = (True, row[2], row[3]) if row else (False, None, None)
        seen.add(expense.id)
        if expense.doubt is not None:
            if state not in expense.doubt:
                problems.append(f"expense {expense.id} is {state}, none of its possible states {expense.doubt}")
        elif expense.live and state != (True, expense.cents, expense.version):
            problems.append(f"expense {expense.id} acknowledged as {expense.cents} v{expense.version}, is {state}")
        elif not expense.live and row:
            problems.append(f"expense {expense.id} acknowledged as deleted, still there")
    committed_doubts = 0
    for expense_id, (tenant, merchant, cents, _) in rows.items():
        if expense_id in seen:
            continue
        maybe = load.ledger.maybe_created.get(merchant)
        if maybe == (tenant, cents):
            committed_doubts += 1
        else:
            problems.append(f"expense {expense_id} ({merchant}, {cents}) was never acknowledged")
    return problems, committed_doubts


def integrity(superuser_url):
    """Half-written changes anywhere in the database (all tenants)."""
    checks = {
        "expenses without their creation in the audit log": """
            SELECT count(*) FROM expenses e WHERE NOT EXISTS (SELECT 1 FROM audit_log a
                WHERE a.tenant_id = e.tenant_id AND a.subject_id = e.id::text AND a.action = 'expense.created')""",
        "expenses whose update entries do not match their version": """
            SELECT count(*) FROM expenses e WHERE e.version - 1 <> (SELECT count(*) FROM audit_log a
                WHERE a.tenant_id = e.tenant_id AND a.subject_id = e.id::text AND a.action = 'expense.updated')""",
        "audited creations with neither the expense nor its deletion": """
            SELECT count(*) FROM audit_log a WHERE a.action = 'expense.created'
              AND NOT EXISTS (SELECT 1 FROM expenses e WHERE e.tenant_id = a.tenant_id AND e.id::text = a.subject_id)
              AND NOT EXISTS (SELECT 1 FROM audit_log d WHERE d.tenant_id = a.tenant_id
                              AND d.subject_id = a.subject_id AND d.action = 'expense.deleted')""",
        "audited deletions of expenses that still exist": """
            SELECT count(*) FROM audit_log a WHERE a.action = 'expense.deleted'
              AND EXISTS (SELECT 1 FROM expenses e WHERE e.tenant_id = a.tenant_id AND e.id::text = a.subject_id)""",
        "per-day sums out of step with the expenses": f"""
            WITH actual AS (
                SELECT tenant_id, occurred_on, currency, COALESCE(category_id, '{NIL}') AS category_key, member_id,
                       sum(amount_minor) AS amount, count(*) AS n
                FROM expenses GROUP BY 1, 2, 3, 4, 5),
            kept AS (SELECT * FROM expense_day_totals WHERE expense_count <> 0 OR amount_minor <> 0)
            SELECT count(*) FROM actual FULL JOIN kept
                USING (tenant_id, occurred_on, currency, category_key, member_id)
            WHERE actual.amount IS DISTINCT FROM kept.amount_minor OR actual.n IS DISTINCT FROM kept.expense_count""",
    }
    problems = []
    for name, query in checks.items():
        count = int(Cluster.sql(superuser_url, query)[0][0])
        if count:
            problems.append(f"{count} {name}")
    return problems


async def api_checks(host, port, load, tenants, tokens, rows, concurrency=16):
    """Every acknowledged expense read back through the API, and each tenant's yearly report
    against the sum of its rows (and, with nothing in doubt, of what was acknowledged)."""
    problems = []
    by_org = {tenant.org_id: tenant for tenant in tenants}
    expenses = [e for e in load.ledger.expenses.values() if e.doubt is None]
    queue = asyncio.Queue()
    for expense in expenses:
        queue.put_nowait(expense)

    async def reader():
        connection = Connection(host, port)
        while not queue.empty():
            expense = queue.get_nowait()
            headers = {"Authorization": f"Bearer {tokens[expense.org_id]}"}
            response = await connection.request("GET", f"/api/v1/orgs/{expense.org_id}/expenses/{expense.id}", headers)
            if expense.live and (response.status != 200 or response.json()["version"] != expense.version):
                problems.append(f"GET {expense.id}: {response.status} {response.body[:120]!r}, expected v{expense.version}")
            if not expense.live and response.status != 404:
                problems.append(f"GET deleted {expense.id}: {response.status}")
        await connection.close()

    await asyncio.gather(*(reader() for _ in range(concurrency)))
    sums = defaultdict(int)
    for tenant_id, _, cents, _ in rows.values():
        sums[tenant_id] += cents
    acknowledged = defaultdict(int)
    for expense in load.ledger.expenses.values():
        if expense.live and expense.doubt is None:
            acknowledged[expense.org_id] += expense.cents
    nothing_in_doubt = not load.ledger.maybe_created and all(e.doubt is None for e in load.ledger.expenses.values())
    connection = Connection(host, port)
    for org_id in by_org:
        headers = {"Authorization": f"Bearer {tokens[org_id]}"}
        response = await connection.request(
            "GET", f"/api/v1/orgs/{org_id}/reports/totals?period=year&from=2026-01-01&to=2026-12-31", headers)
        if response.status != 200:
            problems.append(f"totals of {org_id}: {response.status}")
            continue
        reported = sum(_minor(t["amount"]) for t in response.json()["totals"] if t["currency"] == "USD")
        if reported != sums[org_id]:
            problems.append(f"totals of {org_id}: the report says {reported}, the rows add up to {sums[org_id]}")
        if nothing_in_doubt and reported != acknowledged[org_id]:
            problems.append(f"totals of {org_id}: the report says {reported}, acknowledged {acknowledged[org_id]}")
    await connection.close()
    return problems


async def sign_in_all(host, port, tenants, password):
    """A token per tenant for the read-back (from its own address, past the load's limits)."""
    connection = Connection(host, port)
    tokens = {}
    for number, tenant in enumerate(tenants):
        response = await connection.request("POST", "/api/v1/auth/login",
                                             {"X-Forwarded-For": f"198.19.1.{number + 1}"},
                                             {"email": tenant.email, "password": password})
        assert response.status == 200, (response.status, response.body)
        tokens[tenant.org_id] = response.json()["token"]
    await connection.close()
    return tokens


async def check_everything(host, port, load, tenants, superuser_url, password):
    """All of the above: a list of problems, and the count of in-doubt creates that committed."""
    rows = database_rows(superuser_url, load.run_id)
    problems, committed = reconcile(load, rows)
    problems += integrity(superuser_url)
    tokens = await sign_in_all(host, port, tenants, password)
    problems += await api_checks(host, port, load, tenants, tokens, rows)
    return problems, committed


def _minor(amount):
    whole, _, fraction = amount.partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])
