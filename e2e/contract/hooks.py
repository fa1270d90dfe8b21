"""Schemathesis hooks for the API contract run: a bearer token from the API's own login.

The run may log its own token out (POST /auth/logout is an operation like any other); on a 401
Schemathesis drops the token and asks for a fresh one. Each login says it comes from a new
address through the trusted proxy (the server runs with TRUSTED_PROXIES=127.0.0.1), so the
per-address login limit, which the run also exercises, never locks the run itself out.
"""
import json
import os
import random
import urllib.request

import schemathesis

BASE_URL = os.environ["CONTRACT_BASE_URL"]
EMAIL = os.environ["CONTRACT_EMAIL"]
PASSWORD = os.environ["CONTRACT_PASSWORD"]


def login():
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    request = urllib.request.Request(
        BASE_URL + "/api/v1/auth/login",
        data=json.dumps({"email": EMAIL, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": address},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


@schemathesis.auth(refresh_interval=600)
class APIToken:
    def get(self, case, context):
        return login()

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
