#!/usr/bin/env bash
# `make scaleout`: the scale-out shape on loopback with real parts (e2e/test_scaleout.py): a
# PostgreSQL primary and a streaming hot standby, HAProxy (deploy/haproxy.cfg) in front of two
# servers, two workers, the SMTP test server; then the deploy files' checks, backup and restore
# of both stores, and the capacity of one server and of two behind HAProxy (wrk).
#   SCALEOUT_SECONDS=15 (load between restarts)  SCALEOUT_CLIENTS=200  SCALEOUT_CAPACITY_SECONDS=15
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh scaleout

# The release build exactly as deploy/Dockerfile runs it, so the image and this test run the
# same binary.
swift build -c release --product expense-tracker --static-swift-stdlib
BIN="$(swift build -c release --show-bin-path)/expense-tracker"
export BIN
export SCALEOUT_SECONDS=${SCALEOUT_SECONDS:-15}
export SCALEOUT_CLIENTS=${SCALEOUT_CLIENTS:-200}
export SCALEOUT_CAPACITY_SECONDS=${SCALEOUT_CAPACITY_SECONDS:-15}
python3 -m pytest e2e/test_scaleout.py e2e/test_capacity.py e2e/test_deploy_files.py e2e/test_backup.py -q -s -p no:cacheprovider
