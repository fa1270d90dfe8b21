"""The files under deploy/ that no test starts for real here (no container engine runs on the
test machines): each is checked by the tool that would read it, with the values the compose
file gives it. HAProxy's configuration is also the one test_scaleout.py runs."""
import os
import re
import shutil
import subprocess

import pytest
import yaml

from harness import ROOT

DEPLOY = ROOT / "deploy"
RELEASE_BUILD = "swift build -c release --product expense-tracker --static-swift-stdlib"


def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_the_compose_file_wires_the_scale_out_shape():
    services = compose()["services"]
    assert {"postgres", "migrate", "server1", "server2", "worker", "mailpit", "haproxy"} <= set(services)
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
    for name in ("server1", "server2"):
        server = services[name]
        assert server["command"][:2] == ["serve", "--no-worker"], server["command"]
        assert server["build"]["dockerfile"].endswith("Dockerfile") or "image" in server
    assert services["worker"]["command"][0] == "worker"
    haproxy = services["haproxy"]
    assert any(volume.startswith("./haproxy.cfg:") for volume in haproxy["volumes"])
    # The servers believe exactly HAProxy's address for X-Forwarded-For.
    address = haproxy["networks"]["default"]["ipv4_address"]
    for name in ("server1", "server2"):
        environment = services[name]["environment"]
        assert environment["TRUSTED_PROXIES"] == address
        assert int(environment["SHUTDOWN_DRAIN_SECONDS"]) >= 3


def test_the_compose_file_refuses_to_start_without_the_secrets_it_cannot_make_up():
    # Compose stops on `${NAME:?message}` when NAME is unset or empty: a made-up default would
    # seal authenticator secrets under a key anyone can read here, or expose /metrics.
    services = compose()["services"]
    for name in ("server1", "server2", "worker"):
        environment = services[name]["environment"]
        assert str(environment["SECRET_KEY"]).startswith("${SECRET_KEY:?"), (name, environment["SECRET_KEY"])
    for name in ("server1", "server2"):
        token = str(services[name]["environment"]["METRICS_TOKEN"])
        assert token.startswith("${METRICS_TOKEN:?"), (name, token)


def test_every_setting_the_compose_file_gives_the_app_is_one_it_reads():
    settings = set(re.findall(r'variable: "([A-Z_]+)"', (ROOT / "Sources" / "ExpenseApp" / "Config"
                                                          / "AppConfig+Load.swift").read_text()))
    assert "DATABASE_URL" in settings and "SHUTDOWN_DRAIN_SECONDS" in settings
    services = compose()["services"]
    for name in ("migrate", "server1", "server2", "worker"):
        unknown = set(services[name]["environment"]) - settings
        assert unknown == set(), (name, unknown)


def test_haproxy_accepts_its_configuration_with_the_compose_values():
    environment = {key: str(value) for key, value in compose()["services"]["haproxy"]["environment"].items()}
    check = subprocess.run(["haproxy", "-c", "-f", str(DEPLOY / "haproxy.cfg")], env=dict(os.environ, **environment),
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_nginx_accepts_the_example_site(tmp_path):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=expenses.example.org", "-keyout", str(tmp_path / "privkey.pem"), "-out",
                    str(tmp_path / "fullchain.pem")], check=True, capture_output=True)
    site = (DEPLOY / "nginx.conf").read_text().replace("/etc/ssl/expense-tracker/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy; "
        f"include {tmp_path}/site.conf; }}\n")
    check = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("unit", ["expense-tracker.service", "expense-tracker-worker.service"])
def test_systemd_accepts_the_units(unit, tmp_path):
    # The binary is not installed here: verify the unit with a stand-in at the same place.
    text = (DEPLOY / unit).read_text().replace("/opt/expense-tracker/expense-tracker", "/bin/true")
    (tmp_path / unit).write_text(text)
    check = subprocess.run(["systemd-analyze", "verify", str(tmp_path / unit)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_image_builds_as_the_scale_out_test_does():
    assert RELEASE_BUILD in (DEPLOY / "Dockerfile").read_text()
    assert RELEASE_BUILD in (ROOT / "scripts" / "scaleout.sh").read_text()
    # The units' install steps build the same binary (the static standard library keeps it
    # independent of a toolchain that ProtectHome= may hide).
    assert RELEASE_BUILD in (DEPLOY / "expense-tracker.service").read_text()
    # The build context (the repository root) leaves out local build products and secrets.
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".build", "data", "deploy/.env"} <= set(ignored), ignored
