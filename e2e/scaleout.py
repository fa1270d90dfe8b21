"""The scale-out shape on loopback, with real parts: a PostgreSQL primary and a streaming hot
standby (pg_basebackup), HAProxy (deploy/haproxy.cfg, as shipped) in front of two `serve
--no-worker` processes, two `worker` processes, and the SMTP test server. test_scaleout.py
drives it; `make scaleout` runs it on the release build for longer."""
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import yaml

from harness import BINARY, ROOT, SMTPServer, free_port
from loadrun import migrate
from pgcluster import Cluster, _as_postgres, _bin_dir

HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
COMPOSE_FILE = ROOT / "deploy" / "compose.yaml"
# DATABASE_READ_MAX_LAG_SECONDS of the servers.
MAX_LAG = 5


def wait_for(predicate, timeout, what, interval=0.1):
    """Polls until `predicate()` holds; a hang guard, not a measurement."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


def application_role(cluster, owner_url, superuser_url):
    """The URL of the role that owns nothing (`expense_app`) for the database of `owner_url`,
    given row access by the very statements deploy/compose.yaml runs on a new volume (those after
    its `\\c expense_tracker`), so the scale-out stack serves as a deployment does."""
    script = yaml.safe_load(COMPOSE_FILE.read_text())["configs"]["postgres-roles"]["content"]
    lines = script.splitlines()
    start = next(index for index, line in enumerate(lines) if line.strip().startswith("\\c "))
    end = next(index for index, line in enumerate(lines) if index > start and line.strip() == "SQL")
    Cluster.sql(cluster.superuser_url, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'expense_app') "
                                       "THEN CREATE ROLE expense_app LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$")
    Cluster.sql(superuser_url, "\n".join(lines[start + 1:end]))
    assert "expense_owner@" in owner_url, owner_url
    return owner_url.replace("expense_owner@", "expense_app@")


class Standby:
    """A streaming hot standby of `cluster`, cloned with pg_basebackup -R, on a port of its own."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.directory = Path(tempfile.mkdtemp(prefix="e2e-standby-"))
        if os.getuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        bin_dir = _bin_dir()
        self.data = self.directory / "data"
        subprocess.run(_as_postgres([str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(cluster.port),
                                     "-U", "postgres", "-D", str(self.data), "-R", "-X", "stream",
                                     "--checkpoint=fast"]), check=True, capture_output=True)
        self.port = free_port()
        # A hot standby needs max_connections no lower than its primary's (300, test-postgres.sh).
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c hot_standby=on "
                   "-c max_connections=300 -c fsync=off")
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(self.data), "-l",
                                     str(self.directory / "server.log"), "-w", "-t", "60", "start", "-o", options]),
                       check=True, capture_output=True)
        self.superuser_url = cluster.superuser_url.replace(f":{cluster.port}/", f":{self.port}/")

    def url(self, primary_url):
        """The same role and database as `primary_url`, on the standby."""
        return primary_url.replace(f":{self.cluster.port}/", f":{self.port}/")

    def sql(self, database_url, statement):
        return Cluster.sql(self.url(database_url), statement)

    def destroy(self):
        subprocess.run(_as_postgres([str(_bin_dir() / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)


class Process:
    """One `expense-tracker` process (serve or worker) with a log file of its own; `port` is
    kept across restarts, as a load balancer's configuration expects."""

    def __init__(self, binary, args, env, name, port=None):
        self.binary, self.args, self.env, self.name = binary, args, env, name
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix=f"e2e-{name}-"))
        self.starts = 0
        self.process = None
        self.start()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.starts += 1
        self.log_path = self.directory / f"{self.name}-{self.starts}.log"
        self.log = open(self.log_path, "w")
        env = dict(self.env, DATA_DIR=str(self.directory))
        if self.port is not None:
            env.update(HTTP_HOST="127.0.0.1", HTTP_PORT=str(self.port))
        self.process = subprocess.Popen([str(self.binary), *self.args], env=env, cwd=self.directory,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        if self.port is not None:
            wait_for(self.ready, 60, f"{self.name} to be ready")

    def ready(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited:\n" + self.log_path.read_text()[-3000:])
        try:
            with urllib.request.urlopen(self.base_url + "/health/ready", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def terminate(self, timeout=60):
        """SIGTERM, and the exit code once it has ended."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        self.log.close()
        return code

    def kill(self):
        self.process.kill()
        self.process.wait()
        self.log.close()

    def close(self):
        if self.process is not None and self.process.poll() is None:
            self.kill()


class HAProxy:
    """HAProxy on deploy/haproxy.cfg itself, its addresses given through the environment the
    file reads; the configuration is checked (`haproxy -c`) before it starts."""

    def __init__(self, servers):
        self.port, self.stats_port = free_port(), free_port()
        self.env = dict(os.environ, HAPROXY_BIND=f"127.0.0.1:{self.port}",
                        HAPROXY_STATS_BIND=f"127.0.0.1:{self.stats_port}",
                        APP1_ADDR=f"127.0.0.1:{servers[0].port}", APP2_ADDR=f"127.0.0.1:{servers[1].port}")
        check = subprocess.run(["haproxy", "-c", "-f", str(HAPROXY_CONFIG)], env=self.env, capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        self.log_path = Path(tempfile.mkdtemp(prefix="e2e-haproxy-")) / "haproxy.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(["haproxy", "-db", "-f", str(HAPROXY_CONFIG)], env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.states() == {"app1": "UP", "app2": "UP"}, 30, "HAProxy to see both servers up")

    @property
    def address(self):
        return "127.0.0.1", self.port

    def states(self):
        """Each server's state as HAProxy's checks see it: UP, DOWN, NOLB (draining)..."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.stats_port}/;csv", timeout=2) as response:
                lines = response.read().decode().splitlines()
        except OSError:
            return {}
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(",")))
            if row.get("pxname") == "servers" and row.get("svname") not in ("BACKEND", "FRONTEND"):
                states[row["svname"]] = row["status"].split()[0]
        return states

    def close(self):
        self.process.kill()
        self.process.wait()
        self.log.close()


def metrics(server, token):
    """`/metrics` of one server as {name with labels: value}."""
    request = urllib.request.Request(server.base_url + "/metrics", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        text = response.read().decode()
    values = {}
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][^ ]*) (\S+)$", line)
        if match:
            values[match.group(1)] = float(match.group(2))
    return values


class ScaleOut:
    """The whole stack on a new database of `cluster`, with every server reading the standby."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.owner_url, self.superuser_url = cluster.create_database()
        # Migrations run as the schema's owner; the servers and workers as the role that owns
        # nothing, granted as compose grants it.
        self.app_url = application_role(cluster, self.owner_url, self.superuser_url)
        migrate(BINARY, self.owner_url)
        self.standby = Standby(cluster)
        # A relay that takes a while over each message, so a worker is mid-batch when killed.
        self.smtp = SMTPServer(options=("--delay", "0.3"))
        self.metrics_token = secrets.token_hex(16)
        self.proxy_port = None
        ports = [free_port(), free_port()]
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root"),
            "DATABASE_URL": self.app_url, "DATABASE_READ_URL": self.standby.url(self.app_url),
            "DATABASE_READ_MAX_LAG_SECONDS": str(MAX_LAG),
            "MAIL_TRANSPORT": "smtp", "SMTP_URL": f"smtp://127.0.0.1:{self.smtp.port}", "SMTP_STARTTLS": "off",
            "SMTP_TIMEOUT_SECONDS": "3", "MAIL_FROM": "ExpenseTracker <no-reply@expenses.test>",
            "BCRYPT_COST": "4", "LOGIN_MAX_FAILURES": "1000", "LOG_LEVEL": "notice", "LOG_FORMAT": "json",
            "TRUSTED_PROXIES": "127.0.0.1", "METRICS_TOKEN": self.metrics_token,
            "SHUTDOWN_DRAIN_SECONDS": "5", "PUBLIC_BASE_URL": "http://127.0.0.1:8080",
        }
        self.servers = [Process(BINARY, ["serve", "--no-worker"], self.env, f"server{n + 1}", port=port)
                        for n, port in enumerate(ports)]
        self.workers = [Process(BINARY, ["worker"], self.env, f"worker{n + 1}") for n in range(2)]
        self.proxy = HAProxy(self.servers)
        # Each server reads the standby once it has measured it current (within a second or two).
        wait_for(lambda: all(metrics(server, self.metrics_token).get("database_standby_up") == 1.0
                             for server in self.servers), 30, "the servers to measure the standby")

    def close(self):
        for process in self.servers + self.workers:
            process.close()
        self.proxy.close()
        self.smtp.stop()
        self.standby.destroy()

    def outbox(self):
        return Counter(row[0] for row in Cluster.sql(self.superuser_url, "SELECT status FROM outbox"))

    def message_ids(self, where="true"):
        return {row[0].strip("<>") for row in
                Cluster.sql(self.superuser_url, f"SELECT message_id FROM outbox WHERE {where}")}

    def standby_caught_up(self):
        """Whether the standby has replayed everything the primary had written when asked (read
        from both servers now, not from a measurement that may predate the last write)."""
        written = Cluster.sql(self.superuser_url, "SELECT pg_current_wal_lsn()")[0][0]
        return Cluster.sql(self.standby.superuser_url,
                           f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn")[0][0] == "t"


def http_request(base_url, method, path, headers=None, body=None, form=None, raw=None, content_type=None):
    """(status, headers, body) without following redirects; `body` is sent as JSON, `form` as a
    urlencoded form, `raw` as it is with `content_type`."""
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if raw is not None:
        data = raw
        headers["Content-Type"] = content_type
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
