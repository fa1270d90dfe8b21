"""The load test, short: 200 simulated people for 15 seconds against the built server (the
debug build under `make test`) on PostgreSQL, then every check of loadcheck.py. `make soak`
runs the full one (60 s, the release build) and records its figures (docs/benchmarks.md)."""
import os

from loadgen import EXPECTED
from loadrun import Stack, load_and_check, report, run_async

CLIENTS = int(os.environ.get("LOAD_CLIENTS", "200"))
DURATION = float(os.environ.get("LOAD_SECONDS", "15"))


def test_200_clients_get_answers_and_every_acknowledged_change_is_there(pg_cluster):
    stack = Stack(cluster=pg_cluster)
    try:
        load, problems, usage = run_async(load_and_check(stack, CLIENTS, DURATION))
    finally:
        stack.close()
    print(report(load, usage, CLIENTS)[0])
    # Every operation of the mix ran and succeeded at least once.
    for operation, status in EXPECTED.items():
        assert load.stats.statuses[operation][status] > 0, operation
    assert problems == []
