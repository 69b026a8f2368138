#!/usr/bin/env bash
# Install the Debian packages named as arguments that are missing (apt-get as root, else sudo).
#   bash scripts/apt_install.sh TAG pkg...   (TAG prefixes the log line, e.g. setup / fuzz)
set -euo pipefail
tag=$1
shift
missing=()
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "[$tag] installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
