#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (playwright-core never downloads a browser): install
# the distribution package when /usr/bin/chromium is missing. Called by .ci/run.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "installing chromium from Debian"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
  || ($SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends chromium >/dev/null)
/usr/bin/chromium --version
