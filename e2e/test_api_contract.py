"""The JSON API against its OpenAPI contract: Schemathesis, every operation, all phases
(examples, coverage, fuzzing, stateful), every check, against the built server with a bearer
token. No 5xx, no response outside the schema, no request the schema forbids accepted."""
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from harness import ROOT, Server

CONTRACT = Path(__file__).parent / "contract"
EMAIL, PASSWORD = "contract@example.org", "contract test passphrase"


@pytest.fixture
def api_server(smtp):
    # Logins name a fresh client address through the trusted proxy (see contract/hooks.py).
    app = Server(
        smtp,
        extra_env={
            "TRUSTED_PROXIES": "127.0.0.1",
            "MAIL_TRANSPORT": "file",
            # A proxy in front makes every peer loopback, so /metrics then needs its own token.
            "METRICS_TOKEN": "contract-metrics-token-0123456789",
            # The run creates an organization per example; the stateful phase needs them.
            "ORGANIZATIONS_PER_DAY": "100000",
        },
    )
    yield app
    app.stop()


def test_the_api_keeps_its_openapi_contract(api_server):
    request = urllib.request.Request(
        api_server.base_url + "/api/v1/auth/register",
        data=json.dumps({"email": EMAIL, "password": PASSWORD, "name": "Contract"}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    assert urllib.request.urlopen(request, timeout=10).status == 201
    report = ROOT / ".build" / "e2e-artifacts" / "schemathesis-junit.xml"
    report.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CONTRACT_BASE_URL=api_server.base_url, CONTRACT_EMAIL=EMAIL,
               CONTRACT_PASSWORD=PASSWORD, SCHEMATHESIS_HOOKS="contract.hooks",
               PYTHONPATH=str(Path(__file__).parent))
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONTRACT / "schemathesis.toml"), "run",
         str(ROOT / "Sources" / "ExpenseApp" / "Resources" / "openapi.yaml"), "--url", api_server.base_url,
         "--phases", "examples,coverage,fuzzing,stateful", "--checks", "all",
         "--report", "junit", "--report-junit-path", str(report), "--no-color"]
        + (["--seed", os.environ["SCHEMATHESIS_SEED"]] if os.environ.get("SCHEMATHESIS_SEED") else []),
        env=env, capture_output=True, text=True, timeout=1800)
    output = run.stdout + run.stderr
    # The warnings (what the run could not reach) and the summary (how many cases ran).
    start = max(output.rfind("WARNINGS"), output.rfind("SUMMARY"))
    print(output[min(i for i in (output.rfind("WARNINGS"), start) if i >= 0):] if start >= 0 else output[-4000:])
    assert run.returncode == 0, output[-20000:]
