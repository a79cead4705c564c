#!/usr/bin/env bash
# Install Debian's headless Chromium and its chromedriver for tests/test_book.py.
# Part of the test set-up (.ci/run calls it); a no-op when both are already there.
# Debian's packages only: nothing downloads a browser build of its own.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install_chromium.sh: run as root (apt-get) or install chromium and chromium-driver yourself" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
chromium --version
chromedriver --version
