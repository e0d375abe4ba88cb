#!/bin/sh
# System packages the tests need that pip cannot install: Debian's chromium, for the
# dashboard browser test (tests/browser/). Idempotent and non-interactive; run by `make test`.
set -eu

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "install_system_deps: chromium is missing and we are not root (no sudo);" \
             "install it with: apt-get install -y chromium" >&2
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
# fonts-dejavu-core: text in screenshots renders on minimal images too.
$SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
