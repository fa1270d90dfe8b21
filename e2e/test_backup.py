"""Backup and restore of both stores, as deploy/backup.md tells an operator to do them, against
the built server: data written, a backup taken while the server runs, more written after it,
the backup restored into a fresh place with the key that seals secrets, and a server started on
it. The restored server has every account, expense and receipt of the backup's moment and
nothing after it, takes the authenticator's next code (its secret opened under the restored
key), and its audit chain verifies."""
import json
import secrets
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pyotp

from harness import BINARY, Server
from journeys import receipt_jpeg
from loadrun import migrate
from pgcluster import Cluster, _bin_dir
from scaleout import http_request

PASSWORD = "correct horse battery staple"


def _api(server, method, path, token=None, body=None, raw=None, content_type=None):
    """(status, the JSON answer decoded, or its bytes) from one client address."""
    headers = {"X-Forwarded-For": "198.18.7.1"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    status, answer_headers, payload = http_request(server.base_url, method, path, headers, body=body, raw=raw,
                                                   content_type=content_type)
    return status, (json.loads(payload) if answer_headers.get_content_subtype().endswith("json") else payload)


def _write_the_books(server):
    """An account with two-factor sign-in, two expenses and a receipt; returns what a restore
    must bring back."""
    status, _ = _api(server, "POST", "/api/v1/auth/register",
                     body={"email": "keeper@example.org", "password": PASSWORD, "name": "Keeper"})
    assert status == 201
    status, body = _api(server, "POST", "/api/v1/auth/login", body={"email": "keeper@example.org",
                                                                    "password": PASSWORD})
    assert status == 200, body
    token = body["token"]
    status, begun = _api(server, "POST", "/api/v1/me/totp", token)
    assert status == 201, begun
    totp = pyotp.parse_uri(begun["otpauth_uri"])
    # Enrolling keeps the credential that enrolled, so no code is spent before the backup.
    status, confirmed = _api(server, "POST", "/api/v1/me/totp/confirm", token, {"code": totp.now()})
    assert status == 200, confirmed
    org = _api(server, "GET", "/api/v1/orgs", token)[1]["items"][0]["id"]
    ids = []
    for merchant, amount in (("Before backup one", "12.50"), ("Before backup two", "7.25")):
        status, expense = _api(server, "POST", f"/api/v1/orgs/{org}/expenses", token,
                               {"amount": amount, "date": "2026-11-02", "merchant": merchant})
        assert status == 201, expense
        ids.append(expense["id"])
    photo = receipt_jpeg(b"kept in the database")
    status, receipt = _api(server, "POST", f"/api/v1/orgs/{org}/expenses/{ids[0]}/receipts", token,
                           raw=photo, content_type="image/jpeg")
    assert status == 201, receipt
    return org, token, receipt["id"], photo, totp


def _login(server, totp):
    """Signs in with the password and then the authenticator's code of the next step (the step
    the confirming code used is never taken again, and one step ahead is within the window)."""
    status, problem = _api(server, "POST", "/api/v1/auth/login", body={"email": "keeper@example.org",
                                                                       "password": PASSWORD})
    assert status == 401 and problem["type"].endswith("/second-factor-required"), problem
    status, body = _api(server, "POST", "/api/v1/auth/login/totp",
                        body={"mfa_token": problem["mfa_token"], "code": totp.at(time.time() + 30)})
    assert status == 200, body
    return body["token"]


def _check_restored(server, org, receipt_id, photo, totp):
    token = _login(server, totp)
    status, page = _api(server, "GET", f"/api/v1/orgs/{org}/expenses?limit=100", token)
    assert status == 200
    assert sorted(item["merchant"] for item in page["items"]) == ["Before backup one", "Before backup two"]
    status, body = _api(server, "GET", f"/api/v1/orgs/{org}/receipts/{receipt_id}", token)
    assert status == 200 and body == photo


def _verify_audit(env):
    result = subprocess.run([str(BINARY), "audit", "verify"], env=env, capture_output=True, text=True,
                            cwd=tempfile.gettempdir())
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_embedded_store_backed_up_while_serving_restores_whole(tmp_path):
    server = Server(None)
    try:
        org, token, receipt_id, photo, totp = _write_the_books(server)
        copy = tmp_path / "copy.sqlite"
        keys = tmp_path / "keys"
        keys.mkdir()
        key = keys / "copy.sqlite.key"
        env = {"PATH": "/usr/bin:/bin", "DATA_DIR": str(server.data), "LOG_LEVEL": "notice"}
        taken = subprocess.run([str(BINARY), "backup", str(copy), "--key-file", str(key)], env=env,
                               capture_output=True, text=True, cwd=tempfile.gettempdir())
        assert taken.returncode == 0, taken.stdout + taken.stderr
        assert "backup written" in taken.stdout + taken.stderr
        # Without SECRET_KEY the embedded store's key file seals the authenticator's secret; the
        # backup writes a copy of it where it was told (apart from the backups), and both files
        # are readable by their owner alone.
        assert key.read_bytes() == (server.data / "secret.key").read_bytes()
        assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert not Path(str(copy) + ".key").exists()
        # A backup never overwrites a file.
        again = subprocess.run([str(BINARY), "backup", str(copy)], env=env, capture_output=True, text=True,
                               cwd=tempfile.gettempdir())
        assert again.returncode == 1 and "exists" in again.stderr, again.stderr
        status, _ = _api(server, "POST", f"/api/v1/orgs/{org}/expenses", token,
                         {"amount": "1.00", "date": "2026-11-03", "merchant": "After backup"})
        assert status == 201
    finally:
        server.stop()
    restored = tmp_path / "restored"
    restored.mkdir()
    (restored / "expense-tracker.sqlite").write_bytes(copy.read_bytes())
    (restored / "secret.key").write_bytes(key.read_bytes())
    (restored / "secret.key").chmod(0o600)
    again = Server(None, extra_env={"DATA_DIR": str(restored)})
    try:
        _check_restored(again, org, receipt_id, photo, totp)
    finally:
        again.stop()
    assert "ok" in _verify_audit({"PATH": "/usr/bin:/bin", "DATA_DIR": str(restored), "LOG_LEVEL": "notice"})


def test_postgresql_dumped_by_the_backup_role_restores_whole(pg_cluster, tmp_path):
    owner_url, superuser_url = pg_cluster.create_database()
    migrate(BINARY, owner_url)
    # Every server of a PostgreSQL deployment shares one SECRET_KEY; the restore runs with it.
    secret_key = secrets.token_urlsafe(32)
    server = Server(None, extra_env={"DATABASE_URL": owner_url, "SECRET_KEY": secret_key})
    dump = tmp_path / "expense_tracker.dump"
    try:
        org, token, receipt_id, photo, totp = _write_the_books(server)
        # The dedicated backup role of deploy/backup.md: row security is forced on the owner too.
        Cluster.sql(superuser_url, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'expense_backup') "
                                   "THEN CREATE ROLE expense_backup LOGIN NOSUPERUSER BYPASSRLS; "
                                   "GRANT pg_read_all_data TO expense_backup; END IF; END $$")
        backup_url = owner_url.replace("expense_owner@", "expense_backup@")
        subprocess.run([str(_bin_dir() / "pg_dump"), "--format=custom", f"--file={dump}", backup_url], check=True,
                       capture_output=True)
        status, _ = _api(server, "POST", f"/api/v1/orgs/{org}/expenses", token,
                         {"amount": "1.00", "date": "2026-11-03", "merchant": "After backup"})
        assert status == 201
    finally:
        server.stop()
    name = "restored_" + Path(tmp_path).name.replace("-", "_").lower()[-20:]
    Cluster.sql(pg_cluster.superuser_url, f"CREATE DATABASE {name} OWNER expense_owner")
    restored_url = pg_cluster.owner_url.replace("/postgres?", f"/{name}?")
    subprocess.run([str(_bin_dir() / "pg_restore"), "--no-owner", "--role=expense_owner", "--exit-on-error",
                    "--single-transaction", f"--dbname={restored_url}", str(dump)], check=True, capture_output=True)
    migrate(BINARY, restored_url)
    again = Server(None, extra_env={"DATABASE_URL": restored_url, "SECRET_KEY": secret_key})
    try:
        _check_restored(again, org, receipt_id, photo, totp)
    finally:
        again.stop()
    assert "ok" in _verify_audit({"PATH": "/usr/bin:/bin", "DATABASE_URL": restored_url, "LOG_LEVEL": "notice"})
