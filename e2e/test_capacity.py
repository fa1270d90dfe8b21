"""Capacity of the scale-out shape on this machine (`make scaleout` sets
SCALEOUT_CAPACITY_SECONDS; docs/scaling.md records the figures): wrk against one server and
against two behind HAProxy, and pgbench on the list's SQL on the primary and the standby as the
limit. A measurement, not a check of speed: it asserts only that every answer was a success and
that the reads it calls the standby's went there."""
import os
import re
import subprocess

import pytest

from loadcheck import sign_in_all
from loadgen import PASSWORD, setup_tenants
from loadrun import run_async
from pgcluster import Cluster
from scaleout import metrics

CAPACITY_SECONDS = int(os.environ.get("SCALEOUT_CAPACITY_SECONDS", "0"))


def _wrk(url, token, seconds, script=None):
    """wrk's requests per second, its 99th-percentile latency in ms, and non-2xx answers."""
    command = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-H", f"Authorization: Bearer {token}",
               "-H", "X-Forwarded-For: 198.18.9.9"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, float(p99.group(1)) * scale, int(failed.group(1)) if failed else 0


@pytest.mark.skipif(CAPACITY_SECONDS == 0, reason="a measurement: `make scaleout` runs it")
def test_capacity_of_one_server_and_of_two_behind_haproxy(scaleout, tmp_path):
    stack = scaleout
    host, port = stack.proxy.address
    tenant = run_async(setup_tenants(host, port, 1, "capacity"))[0]
    token = run_async(sign_in_all(host, port, [tenant], PASSWORD))[tenant.org_id]
    create = tmp_path / "create.lua"
    create.write_text('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                      'wrk.body = \'{"amount":"12.34","date":"2026-11-02","merchant":"capacity"}\'\n')
    one, proxy = stack.servers[0].base_url, f"http://{host}:{port}"
    rows = []
    base = f"/api/v1/orgs/{tenant.org_id}"
    for label, script, target in (("create an expense (primary)", str(create), f"{base}/expenses"),
                                  ("list 50 expenses (standby)", None, f"{base}/expenses?limit=50"),
                                  ("monthly totals report (standby)", None, f"{base}/reports/totals?period=month")):
        before = [metrics(server, stack.metrics_token) for server in stack.servers]
        single = _wrk(one + target, token, CAPACITY_SECONDS, script)
        double = _wrk(proxy + target, token, CAPACITY_SECONDS, script)
        after = [metrics(server, stack.metrics_token) for server in stack.servers]
        assert single[2] == 0 and double[2] == 0, (label, single, double)
        if "(standby)" in label:
            # The figure is the standby's: nearly every read went there, none fell back.
            def total(values, name):
                return sum(value.get(name, 0) for value in values)
            reads = total(after, "database_standby_reads_total") - total(before, "database_standby_reads_total")
            assert reads >= 0.9 * (single[0] + double[0]) * CAPACITY_SECONDS, (label, reads)
            assert total(after, "database_standby_fallbacks_total") == total(before, "database_standby_fallbacks_total")
        rows.append(f"| {label} | {single[0]:,.0f} | {single[1]:.1f} | {double[0]:,.0f} | {double[1]:.1f} |")
    # The limit beside it: the list's own SQL (tenant scope, then the page) straight from
    # pgbench, prepared, on the primary and on the standby, same clients and duration.
    script = tmp_path / "list.sql"
    script.write_text(
        "BEGIN;\n"
        f"SELECT set_config('app.tenant_id', '{tenant.org_id}', true);\n"
        "SELECT e.id, e.seq, e.member_id, u.name, e.category_id, c.name, e.amount_minor, e.currency, "
        "e.occurred_on, e.merchant, e.note, e.tags, e.version, e.created_at, e.updated_at FROM expenses e "
        "JOIN users u ON u.id = e.member_id LEFT JOIN categories c ON c.tenant_id = e.tenant_id AND "
        f"c.id = e.category_id WHERE e.tenant_id = '{tenant.org_id}' ORDER BY e.occurred_on DESC, e.seq DESC "
        "LIMIT 51;\nCOMMIT;\n")
    limits = []
    for label, url in (("primary", stack.owner_url), ("standby", stack.standby.url(stack.owner_url))):
        output = subprocess.run(["pgbench", url, "-n", "-M", "prepared", "-c", "32", "-j", "2",
                                 "-T", str(CAPACITY_SECONDS), "-f", str(script)],
                                check=True, capture_output=True, text=True).stdout
        tps = float(re.search(r"tps = ([\d.]+)", output).group(1))
        limits.append(f"{label} {tps:,.0f} tx/s")
    # What an expense costs on disk, with its audit entry and its share of the day sums.
    size = Cluster.sql(stack.superuser_url,
                       "SELECT count(*), pg_total_relation_size('expenses') + pg_total_relation_size('audit_log') "
                       "+ pg_total_relation_size('expense_day_totals') FROM expenses")[0]
    limits.append(f"{int(size[0]):,} expenses, {int(size[1]) / int(size[0]):,.0f} bytes each on disk "
                  "(expenses, audit log, day sums, with indexes)")
    print(f"\n{os.cpu_count()} cores; wrk -t2 -c32 for {CAPACITY_SECONDS} s each\n"
          "| request | one server req/s | p99 ms | two behind HAProxy req/s | p99 ms |\n|---|---|---|---|---|\n"
          + "\n".join(rows) + "\npgbench, the list's SQL, 32 clients: " + ", ".join(limits))
