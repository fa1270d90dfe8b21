"""A throwaway PostgreSQL cluster on loopback (scripts/test-postgres.sh), with what the load and
fault checks need besides: databases the application role owns, SQL as the superuser (who row
security does not filter, so checks see every tenant), and stopping and starting the server
while the cluster's files stay."""
import os
import shlex
import subprocess
import tempfile
import uuid
from pathlib import Path

from harness import ROOT

SCRIPT = ROOT / "scripts" / "test-postgres.sh"


def _bin_dir():
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
    return versions[-1]


def _as_postgres(command):
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


class Cluster:
    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="e2e-pg-"))
        output = subprocess.run([str(SCRIPT), "start", str(self.directory)], check=True,
                                capture_output=True, text=True).stdout
        env = {}
        for line in output.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.strip("'")
        self.owner_url = env["TEST_DATABASE_URL"]
        self.superuser_url = env["TEST_SUPERUSER_URL"]
        self.port = int(env["TEST_POSTGRES_PORT"])
        self._options = None

    def create_database(self):
        """A new database the application role owns: (its URL, the superuser's URL to it)."""
        name = "e2e_" + uuid.uuid4().hex[:12]
        self.sql(self.superuser_url, f"CREATE DATABASE {name} OWNER expense_owner")
        return (self.owner_url.replace("/postgres?", f"/{name}?"),
                self.superuser_url.replace("/postgres?", f"/{name}?"))

    @staticmethod
    def sql(url, statement):
        """Rows of tab-separated text cells."""
        output = subprocess.run(["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                                 "-c", statement], check=True, capture_output=True, text=True).stdout
        return [line.split("\t") for line in output.splitlines() if line]

    def stop_server(self):
        """Stops PostgreSQL as an operator would (`pg_ctl stop -m fast`: sessions are ended)."""
        data = self.directory / "data"
        # The options it was started with (its port, socket directory, settings), to start it
        # again the same way.
        words = shlex.split((data / "postmaster.opts").read_text())[1:]
        if "-D" in words:
            index = words.index("-D")
            del words[index:index + 2]
        self._options = shlex.join(words)
        subprocess.run(_as_postgres([str(_bin_dir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       check=True, capture_output=True)

    def start_server(self):
        data = self.directory / "data"
        subprocess.run(_as_postgres([str(_bin_dir() / "pg_ctl"), "-D", str(data), "-l",
                                     str(self.directory / "server.log"), "-w", "-t", "60", "start",
                                     "-o", self._options]), check=True, capture_output=True)

    def destroy(self):
        subprocess.run([str(SCRIPT), "stop", str(self.directory)], check=False, capture_output=True)
