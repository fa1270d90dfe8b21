#!/usr/bin/env python3
"""The load run: a throwaway PostgreSQL cluster, the built server on it, ten tenants, and
simulated people for a while; then every check of loadcheck.py. Exits non-zero on any failure.

    python3 e2e/loadrun.py --binary .build/release/expense-tracker --clients 200 --duration 60

`make soak` runs it on the release build (scripts/soak.sh); the test suite runs a short one
(e2e/test_load.py). The server runs with BCRYPT_COST=4, since the mix signs in (at the default
cost of 12 two cores hash about eight passwords a second, by design), TRUSTED_PROXIES=127.0.0.1
with a distinct X-Forwarded-For per person, so per-address limits count each person apart,
METRICS_TOKEN (which trusting a proxy requires), and LOGIN_MAX_FAILURES=1000 (see Stack)."""
import argparse
import asyncio
import concurrent.futures
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import BINARY, Server
from loadcheck import check_everything
from loadgen import PASSWORD, Load, setup_tenants
from pgcluster import Cluster


def run_async(coroutine):
    """Runs a coroutine to its end on a new event loop in a thread of its own: under pytest the
    browser tests' Playwright (sync API) leaves an event loop running on the main thread, where
    asyncio.run refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def migrate(binary, database_url):
    subprocess.run([str(binary), "migrate"], check=True, capture_output=True, cwd=tempfile.gettempdir(),
                   env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": database_url,
                        "LOG_LEVEL": "warning"})


class Stack:
    """A database of its own (in `cluster`, or a cluster of its own), migrated, and the server
    on it configured for load."""

    def __init__(self, binary=None, cluster=None, smtp=None, extra_env=None, args=("serve",)):
        self.binary = Path(binary or BINARY)
        self.own_cluster = cluster is None
        self.cluster = cluster or Cluster()
        self.owner_url, self.superuser_url = self.cluster.create_database()
        migrate(self.binary, self.owner_url)
        self.smtp = smtp
        self.args = args
        # Twenty people share each tenant's owner account, and a sign-in counts against the
        # lockout before its password is checked (so parallel guesses get no more than
        # LOGIN_MAX_FAILURES checked): at the default of 5, six of them signing in at once
        # would see the sixth refused, by design. The mix is not about lockout.
        self.env = {"DATABASE_URL": self.owner_url, "TRUSTED_PROXIES": "127.0.0.1",
                    "METRICS_TOKEN": secrets.token_hex(16), "BCRYPT_COST": "4", "LOG_LEVEL": "warning",
                    "LOGIN_MAX_FAILURES": "1000"}
        self.env.update(extra_env or {})
        self.server = None
        self.start_server()

    def start_server(self, **overrides):
        env = dict(self.env, **overrides)
        self.server = Server(self.smtp, env, binary=self.binary, args=self.args)
        return self.server

    @property
    def address(self):
        return "127.0.0.1", self.server.port

    def close(self):
        if self.server is not None and self.server.process.poll() is None:
            self.server.kill()
        if self.own_cluster:
            self.cluster.destroy()


def cpu_seconds(pid):
    """User plus system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load_and_check(stack, clients, duration, tenants=10):
    """Sets up the tenants, runs the load, checks everything. Returns (load, problems, usage)."""
    host, port = stack.address
    tenant_list = await setup_tenants(host, port, tenants, secrets.token_hex(4))
    load = Load(host, port, tenant_list, clients, duration)
    server_cpu, client_cpu, wall = cpu_seconds(stack.server.process.pid), time.process_time(), time.monotonic()
    await load.run()
    wall = time.monotonic() - wall
    usage = {"server_cpu": (cpu_seconds(stack.server.process.pid) - server_cpu) / wall,
             "client_cpu": (time.process_time() - client_cpu) / wall}
    problems, _ = await check_everything(host, port, load, tenant_list, stack.superuser_url, PASSWORD)
    problems = [f"{operation}: {what}" for operation, what in load.stats.failures] + problems
    return load, problems, usage


def report(load, usage, clients):
    summary = load.summary()
    lines = [f"{clients} clients for {summary['seconds']:.0f} s: {summary['requests']} requests, "
             f"{summary['per_second']:.0f} req/s, p50 {summary['p50_ms']:.1f} ms, p99 {summary['p99_ms']:.1f} ms; "
             f"503 with Retry-After: {summary['unavailable']}; connection errors: {summary['connection_errors']}; "
             f"failures: {summary['failures']}. CPU: server {100 * usage['server_cpu']:.0f}%, "
             f"load client {100 * usage['client_cpu']:.0f}% (of one core).", "",
             "| operation | requests | req/s | p50 ms | p99 ms | 503 |", "|---|---|---|---|---|---|"]
    for row in summary["operations"]:
        lines.append(f"| {row['operation']} | {row['requests']} | {row['per_second']:.1f} | {row['p50_ms']:.1f} | "
                     f"{row['p99_ms']:.1f} | {row['unavailable']} |")
    acknowledged = load.ledger.expenses.values()
    lines += ["", f"Acknowledged: {len(acknowledged)} expenses created, "
                  f"{sum(1 for e in acknowledged if not e.live)} deleted, "
                  f"{sum(e.version - 1 for e in acknowledged if e.live)} edits on the ones left; "
                  "every one read back, totals and audit checked."]
    return "\n".join(lines), summary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=str(BINARY))
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--out", help="also write the report (markdown) and summary (.json) here")
    arguments = parser.parse_args()
    stack = Stack(arguments.binary)
    try:
        load, problems, usage = asyncio.run(load_and_check(stack, arguments.clients, arguments.duration,
                                                           arguments.tenants))
    finally:
        stack.close()
    text, summary = report(load, usage, arguments.clients)
    print(text)
    if arguments.out:
        Path(arguments.out).parent.mkdir(parents=True, exist_ok=True)
        Path(arguments.out).write_text(text + "\n")
        Path(arguments.out).with_suffix(".json").write_text(json.dumps(dict(summary, usage=usage), indent=2))
    for problem in problems[:50]:
        print("FAILED:", problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problems", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
