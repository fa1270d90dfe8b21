#!/usr/bin/env bash
# Installs what building and testing need on a Debian machine, skipping what is already there.
#   scripts/install-deps.sh build   libcurl headers (the SMTP transport links libcurl)
#   scripts/install-deps.sh test    the above plus PostgreSQL, openssl, Chromium and the Python
#                                   test tools (pytest, Playwright, Schemathesis, aiosmtpd, the
#                                   OpenAPI validator)
set -euo pipefail

want=(libcurl4-openssl-dev pkg-config)
if [[ "${1:-build}" == "test" ]]; then
    # Debian's Chromium for the browser journeys (Playwright cannot download its own here).
    want+=(postgresql openssl chromium fonts-dejavu-core)
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

if [[ "${1:-build}" == "test" ]]; then
    # Python tools the end-to-end checks use: the OpenAPI validator (and PyYAML with it).
    if ! python3 -c "import openapi_spec_validator, yaml" 2>/dev/null; then
        echo "installing: openapi-spec-validator"
        python3 -m pip install -q openapi-spec-validator pyyaml
    fi
    # The browser journeys (e2e/): pytest driving Debian's Chromium through Playwright.
    if ! python3 -c "import playwright, pytest" 2>/dev/null; then
        echo "installing: playwright pytest"
        python3 -m pip install -q playwright pytest
    fi
    # The API contract run (e2e/test_api_contract.py).
    if ! python3 -c "import schemathesis" 2>/dev/null; then
        echo "installing: schemathesis"
        python3 -m pip install -q schemathesis
    fi
    # A real SMTP server on loopback for the mail transport tests (scripts/smtp-test-server.py).
    if ! python3 -c "import aiosmtpd" 2>/dev/null; then
        echo "installing: aiosmtpd"
        python3 -m pip install -q aiosmtpd
    fi
fi
