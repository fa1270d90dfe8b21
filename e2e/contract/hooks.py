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


_cached = {}


# Cached here, not by Schemathesis: the run revokes its own token (logout, revoking a token by id)
# in the middle of a scenario, and the next call must then sign in again instead of carrying a
# dead token for the rest of the cache's lifetime.
@schemathesis.auth(refresh_interval=None)
class APIToken:
    def get(self, case, context):
        with _lock:
            cached = _cached.get("token")
        if cached:
            return cached
        fresh = token()
        with _lock:
            _cached["token"] = fresh
        return fresh

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def before_call(context, case, **kwargs):
    # Each request from its own address, as the logins above: the per-address limits of the
    # public operations (register, login, forgot, reset) would otherwise answer the run 429.
    a, b, c = secrets.token_bytes(3)
    case.headers = case.headers or {}
    case.headers["X-Forwarded-For"] = f"10.{a}.{b}.{c % 254 + 1}"


@schemathesis.hook
def after_call(context, case, response):
    # A token the run itself just revoked is of no further use: sign in again on the next call.
    revoked = response.status_code == 204 and (
        case.operation.path in ("/api/v1/auth/logout", "/api/v1/auth/tokens/{id}", "/api/v1/auth/password/reset"))
    if revoked or (response.status_code == 401 and case.operation.path != "/api/v1/auth/login"):
        with _lock:
            _cached.pop("token", None)
