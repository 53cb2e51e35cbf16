#!/usr/bin/env bash
# install-e2e-deps.sh: installs what `make e2e` needs from Debian's
# packages: Chromium (driven headless by chromedp) and the Noto CJK fonts
# (so Hangul renders without fetching fonts from anywhere). Idempotent and
# quiet: it does nothing when both are present, and runs `apt-get update`
# only when a package is missing.
set -euo pipefail

need=()
if [ ! -x /usr/bin/chromium ]; then
	need+=(chromium)
fi
if ! { command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; } &&
	! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed'; then
	need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -eq 0 ]; then
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-e2e-deps: need root (or sudo) to install: ${need[*]}" >&2
		exit 1
	fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-e2e-deps: installing ${need[*]}" >&2
# Install from the current lists when they are there; update them only when
# the install cannot find the packages.
if ! $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null 2>&1; then
	$SUDO apt-get update -qq >/dev/null
	$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" fontconfig >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
	echo "install-e2e-deps: /usr/bin/chromium is still missing after installing chromium" >&2
	exit 1
fi
