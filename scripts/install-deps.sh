#!/usr/bin/env bash
# Installs the Debian packages replsim needs to build, test and plot, but only those that are
# missing. Idempotent: a second run installs nothing. Runs apt-get update first (once per call)
# when something is missing. Needs root (or sudo) only when it has something to install.
set -euo pipefail

packages=(cmake gcc make pkg-config libsimgrid-dev libcjson-dev libcunit1-dev gnuplot-nox python3)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present (${packages[*]})"
    exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
