"""Schemathesis hooks for the API contract run: a bearer token from the API's own login.

The run exercises every operation, the ones that end a sign-in included: it may log its own
token out (POST /auth/logout), and once it has read the account's address from GET /me it may
try that address with wrong passwords until the lockout (LOGIN_MAX_FAILURES) locks the account,
as it should. On a 401 Schemathesis asks for a fresh token; when the account can no longer log
in, the hook registers a fresh account and carries on with that.

Every call says it comes from a new address through the trusted proxy (the server runs with
TRUSTED_PROXIES=127.0.0.1), so the per-address limits, which the run also exercises, never lock
the run itself out.
"""
import json
import os
import secrets
import threading
import urllib.error
import urllib.request

import schemathesis

BASE_URL = os.environ["CONTRACT_BASE_URL"]
PASSWORD = os.environ["CONTRACT_PASSWORD"]
_account = {"email": os.environ["CONTRACT_EMAIL"]}
_lock = threading.Lock()


def _post(path, body):
    a, b, c = secrets.token_bytes(3)
    request = urllib.request.Request(
        BASE_URL + path, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": f"10.{a}.{b}.{c % 254 + 1}"},
        method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def token():
    with _lock:
        try:
            return _post("/api/v1/auth/login", {"email": _account["email"], "password": PASSWORD})["token"]
        except urllib.error.HTTPError as error:
            if error.code not in (401, 423, 429):
                raise
        # Locked out by the run's own wrong guesses: continue as a new person.
        _account["email"] = f"contract-{secrets.token_hex(6)}@example.org"
        _post("/api/v1/auth/register", {"email": _account["email"], "password": PASSWORD, "name": "Contract"})
        return _post("/api/v1/auth/login", {"email": _account["email"], "password": PASSWORD})["token"]


@schemathesis.auth(refresh_interval=600)
class APIToken:
    def get(self, case, context):
        return token()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
