"""The real parts the browser journeys run against: the built server on a fresh SQLite
database, sending mail over SMTP to scripts/smtp-test-server.py (aiosmtpd) on loopback."""
import email
import json
import email.policy
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BINARY = Path(os.environ.get("BIN", ROOT / ".build" / "debug" / "expense-tracker")).resolve()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


class SMTPServer:
    """aiosmtpd writing every accepted message to a directory, one .eml each. `port` and
    `directory` start it again where a stopped one was; `options` are smtp-test-server.py's."""

    def __init__(self, port=None, directory=None, options=()):
        self.port = port or free_port()
        self.directory = Path(directory or tempfile.mkdtemp(prefix="e2e-smtp-"))
        self.refusal = self.directory.parent / (self.directory.name + ".refuse")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "smtp-test-server.py"), str(self.port), str(self.directory),
             "--refuse-while", str(self.refusal), *options],
            stdout=subprocess.PIPE, text=True)
        if "ready" not in self.process.stdout.readline():
            raise RuntimeError("the SMTP test server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait()

    def refuse(self, refusing=True):
        """Answer 451 to every recipient from now on (or, with False, accept again)."""
        if refusing:
            self.refusal.touch()
        else:
            self.refusal.unlink(missing_ok=True)

    def messages(self):
        return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in sorted(self.directory.glob("*.eml"))]

    def wait_for(self, recipient, subject_contains, timeout=20):
        """The newest message to `recipient` whose subject contains the words; waits for it."""
        found = []

        def arrived():
            found[:] = [m for m in self.messages()
                        if recipient in m["To"] and subject_contains.lower() in m["Subject"].lower()]
            return bool(found)

        _wait_for(arrived, timeout, f"mail to {recipient} about {subject_contains!r}")
        return Mail(found[-1])


class Mail:
    def __init__(self, message):
        self.message = message
        self.subject = str(message["Subject"])
        self.text = message.get_body(preferencelist=("plain",)).get_content()
        self.html = message.get_body(preferencelist=("html",)).get_content()

    def link(self, base_url):
        """The first link to the server in the plain text, the same as the HTML's button."""
        links = re.findall(re.escape(base_url) + r"[^\s<>\"]*", self.text)
        if not links:
            raise AssertionError(f"no link to {base_url} in: {self.text}")
        html_links = [link.replace("&amp;", "&") for link in re.findall(r'href="([^"]+)"', self.html)]
        assert links[0] in html_links, (links[0], html_links)
        return links[0]


class Server:
    """`expense-tracker serve` on a free port with its own data directory. Without `smtp` its
    mail goes to files; `binary` and `args` run another build or command line."""

    def __init__(self, smtp, extra_env=None, binary=None, args=("serve",)):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.data = Path(tempfile.mkdtemp(prefix="e2e-data-"))
        self.log_path = self.data / "server.log"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "PUBLIC_BASE_URL": self.base_url,
            "DATA_DIR": str(self.data),
            "MAIL_TRANSPORT": "file",
            "MAIL_FROM": "ExpenseTracker <no-reply@expenses.test>",
            "BCRYPT_COST": "4",
            "LOG_LEVEL": "notice",
            # The tests' webhook receivers listen on loopback (the refusal test turns this off).
            "WEBHOOK_ALLOW_PRIVATE": "true",
        }
        if smtp is not None:
            env.update(MAIL_TRANSPORT="smtp", SMTP_URL=f"smtp://127.0.0.1:{smtp.port}", SMTP_STARTTLS="off")
        env.update(extra_env or {})
        self.log = open(self.log_path, "w")
        # Its own working directory: no .env of the checkout is read.
        self.process = subprocess.Popen([str(binary or BINARY), *args], env=env, cwd=self.data,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        _wait_for(self._ready, 30, "the server to be ready")

    def _ready(self):
        if self.process.poll() is not None:
            raise RuntimeError("the server exited:\n" + self.log_path.read_text())
        try:
            with urllib.request.urlopen(self.base_url + "/health/ready", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def memory(self):
        """The process's peak and current resident memory in bytes: (VmHWM, VmRSS)."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines())
        return tuple(int(fields[name].split()[0]) * 1024 for name in ("VmHWM", "VmRSS"))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("the server did not stop within 15 s of SIGTERM")
        finally:
            self.log.close()

    def kill(self):
        """SIGKILL: the process ends mid-whatever, as on a power cut."""
        self.process.kill()
        self.process.wait()
        self.log.close()


def api_call(server, method, path, token=None, body=None):
    """A JSON API call to `server`: (status, decoded body), whatever the status."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(server.base_url + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
