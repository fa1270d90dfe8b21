#!/usr/bin/env bash
# Installs what building and testing need on a Debian machine, skipping what is already there.
#   scripts/install-deps.sh build   libcurl headers (the SMTP transport links libcurl)
#   scripts/install-deps.sh test    the above plus PostgreSQL, openssl, Chromium, HAProxy, nginx,
#                                   zbar (reads QR codes) and the Python test tools (pytest,
#                                   Playwright, Schemathesis, aiosmtpd, the OpenAPI validator, pyotp)
#   scripts/install-deps.sh scaleout  the above plus wrk
set -euo pipefail
cd "$(dirname "$0")/.."

want=(libcurl4-openssl-dev pkg-config)
if [[ "${1:-build}" == "test" || "${1:-build}" == "scaleout" ]]; then
    # Debian's Chromium for the browser journeys (Playwright cannot download its own here);
    # HAProxy and nginx, whose deploy/ configurations the tests check and run; zbar, which reads
    # the enrolment page's QR code as a phone would.
    want+=(postgresql openssl chromium fonts-dejavu-core haproxy nginx zbar-tools)
fi
if [[ "${1:-build}" == "scaleout" ]]; then
    # wrk measures one server and two behind HAProxy.
    want+=(wrk)
fi

missing=()
for package in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "installing: ${missing[*]}"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-build}" != "build" ]]; then
    # Python tools of the end-to-end checks, pinned in e2e/requirements.txt: the OpenAPI
    # validator, aiosmtpd (a real SMTP server on loopback), pytest and Playwright (driving
    # Debian's Chromium), Schemathesis (the API contract run).
    if ! python3 - <<'PY' 2>/dev/null; then
import importlib.metadata as m, pathlib, sys
for line in pathlib.Path("e2e/requirements.txt").read_text().splitlines():
    line = line.split("#")[0].strip()
    if line:
        name, version = line.split("==")
        if m.version(name) != version:
            sys.exit(1)
PY
        echo "installing: e2e/requirements.txt"
        python3 -m pip install -q -r e2e/requirements.txt
    fi
fi
